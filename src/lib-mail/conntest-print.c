/* conntest-print.c - a connection test's report as plain text lines
 * (conntest.h), for hikyakuctl: one line per stage, then its certificate,
 * warnings, explanation and detail, indented under it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conntest.h"
#include "mem.h"

static char *
prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = hk_strdup(v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static char *
child_text(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0) {
			xmlChar *t = xmlNodeGetContent(c);
			char *s = hk_strdup(t ? (const char *)t : "");

			xmlFree(t);
			return s;
		}
	return NULL;
}

void
hk_conntest_print(xmlNodePtr result, FILE *out)
{
	for (xmlNodePtr end = result->children; end != NULL; end = end->next) {
		char *ename;

		if (end->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)end->name, "end") != 0)
			continue;
		ename = prop(end, "name");
		for (xmlNodePtr s = end->children; s != NULL; s = s->next) {
			char *name, *ok, *ms, *field, *reply, *expl, *detail;
			char *method;

			if (s->type != XML_ELEMENT_NODE)
				continue;
			name = prop(s, "name");
			ok = prop(s, "ok");
			ms = prop(s, "ms");
			field = prop(s, "field");
			reply = child_text(s, "reply");
			expl = child_text(s, "explanation");
			detail = child_text(s, "detail");
			fprintf(out, "%-8s %-16s %-4s %6s ms  %s\n", ename, name,
			    strcmp(ok, "true") == 0 ? "ok" : "FAIL", ms,
			    reply ? reply : "");
			method = prop(s, "method");
			if (*method != '\0')
				fprintf(out, "%27s signed in with %s\n", "", method);
			free(method);
			for (xmlNodePtr k = s->children; k != NULL; k = k->next) {
				if (k->type != XML_ELEMENT_NODE)
					continue;
				if (strcmp((const char *)k->name, "certificate") == 0) {
					char *subj = child_text(k, "subject");
					char *iss = child_text(k, "issuer");
					char *na = child_text(k, "not-after");
					char *fp = child_text(k, "sha256");
					char *ver = child_text(k, "version");

					fprintf(out, "%27s %s, subject %s, issuer %s, "
					    "expires %s\n%27s SHA-256 %s\n", "",
					    ver ? ver : "", subj ? subj : "-",
					    iss ? iss : "-", na ? na : "-", "",
					    fp ? fp : "-");
					free(subj); free(iss); free(na); free(fp);
					free(ver);
				} else if (strcmp((const char *)k->name, "token") == 0) {
					xmlChar *t = xmlNodeGetContent(k);

					fprintf(out, "%27s %s\n", "", (const char *)t);
					xmlFree(t);
				} else if (strcmp((const char *)k->name, "warning") == 0) {
					xmlChar *t = xmlNodeGetContent(k);
					char *wf = prop(k, "field");

					fprintf(out, "%27s warning: %s [%s]\n", "",
					    (const char *)t, wf);
					xmlFree(t);
					free(wf);
				}
			}
			if (expl != NULL)
				fprintf(out, "%27s %s [%s]\n", "", expl, field);
			if (detail != NULL)
				fprintf(out, "%27s (%s)\n", "", detail);
			free(name); free(ok); free(ms); free(field);
			free(reply); free(expl); free(detail);
		}
		free(ename);
	}
}
