# Unit tests of the mail area.
