"""Code that runs inside the sandbox.

These modules use the standard library only. Inside the sandbox they are imported by file path as
top-level modules (``fpbox_*``), so no ``foulplay`` package code runs next to submitted code.
"""
