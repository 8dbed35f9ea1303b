"""Held-out half: generators written blind, from the hack catalog's descriptions only, by an author who
did not read the rules; committed before their first evaluation. Figures on this half estimate accuracy
on new code."""
