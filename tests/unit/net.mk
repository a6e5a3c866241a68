# Unit tests of the net area.
