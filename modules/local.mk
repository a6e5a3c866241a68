# modules/ - auth modules (issue 4 fills this in).
