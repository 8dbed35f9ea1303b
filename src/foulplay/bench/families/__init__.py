"""Generator families of the detector benchmark: ``dev`` (development half) and ``heldout`` (written blind)."""
