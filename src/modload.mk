# The auth module loader (modload.h).
