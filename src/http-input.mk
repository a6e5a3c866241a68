# Request input parsers (form.h, cookie.h, utf8.h, negotiate.h).
