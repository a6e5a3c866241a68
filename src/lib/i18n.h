/* i18n.h - the message catalogues (xsl/i18n/<lang>.xml).
 *
 * Every user-facing string lives in the catalogues, which the stylesheets
 * read through hk:msg() and the C code through hk_msg().  A language's
 * catalogue is DIR/<lang>.xml plus every DIR/<lang>-<area>.xml (each area
 * of the product keeps its own file); a key defined twice is an error.
 * Each file is
 *   <messages lang="en"><m k="key">text with {1} {2}</m>...</messages>
 * Loaded once per process; read-only afterwards, so workers share it.
 */
#ifndef HK_I18N_H
#define HK_I18N_H

#include <stddef.h>

/* The supported languages, NULL-terminated; the first is the default. */
#define HK_N_LANGS 2
extern const char *const hk_languages[];

struct hk_catalog;

/* Loads DIR/<lang>.xml for every supported language.  Returns NULL and sets
 * *err_r (caller frees) when a file is missing or malformed. */
struct hk_catalog *hk_catalog_load(const char *dir, char **err_r);
void hk_catalog_free(struct hk_catalog **cat);

/* The text for key in lang (falling back to the default language, then to
 * the key itself).  Never NULL; owned by the catalogue. */
const char *hk_msg(const struct hk_catalog *cat, const char *lang,
    const char *key);

/* The text with {1}..{n} replaced by args[0..n-1]; the caller frees. */
char *hk_msg_format(const struct hk_catalog *cat, const char *lang,
    const char *key, const char *const *args, size_t nargs);

/* True when lang is one of hk_languages. */
int hk_lang_supported(const char *lang);

#endif
