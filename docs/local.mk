# docs/ - the manual pages of the programs and the configuration file
# (the SDK's hikyaku-authmod.3 is installed by modules/local.mk).
dist_man5_MANS = docs/hikyaku.conf.5
dist_man8_MANS = docs/hikyaku-fcgi.8 docs/hikyakuctl.8
