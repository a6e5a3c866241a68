# Unit tests of the request input parsers.
