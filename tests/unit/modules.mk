# Unit tests of the auth modules and their loader.
