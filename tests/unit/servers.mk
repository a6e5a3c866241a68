# Unit tests of the servers area.
