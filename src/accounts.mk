# Mail accounts, secrets at rest, the audit trail, key rotation.
libhikyaku_la_SOURCES += src/ui_accounts.c src/ui_audit.c src/secret.h src/audit.h
hikyakuctl_SOURCES += src/ctl_keys.c
# Secrets at rest (AES-256-GCM), and whether this process's key still fits.
libhikyaku_la_SOURCES += src/secret.c src/keycheck.c src/keycheck.h
# The audit trail, and the mail-account model.
libhikyaku_la_SOURCES += src/audit.c src/accounts.c src/accounts.h
