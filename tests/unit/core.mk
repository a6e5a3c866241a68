# Unit tests of the core (buf, config, store, sessions, ...).
