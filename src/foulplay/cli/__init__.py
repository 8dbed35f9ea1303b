"""The ``foulplay`` command line: thin wrappers over the public Python API."""
