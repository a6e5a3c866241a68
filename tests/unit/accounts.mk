# Unit tests of the accounts area.
