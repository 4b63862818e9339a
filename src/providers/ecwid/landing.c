/*
 * Where an affiliate link lands by default: a store known only by its
 * numeric id has its free storefront at store<id>.company.site.
 */
#include "providers/ecwid/internal.h"

#include <stdio.h>
#include <string.h>

bool ecwid_landing_default(const char *domain, char *out, size_t n)
{
	if (strspn(domain, "0123456789") != strlen(domain))
		return false;
	snprintf(out, n, "https://store%s.company.site/", domain);
	return true;
}
