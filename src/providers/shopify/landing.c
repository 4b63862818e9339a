/*
 * Where an affiliate link may land: a shop's storefront answers at its
 * myshopify domain, and that domain is the only one Shopify vouches is
 * the shop's (a custom domain is the merchant's word, not Shopify's).
 */
#include "providers/shopify/internal.h"
#include "util/parse.h"

#include <string.h>
#include <strings.h>

bool shopify_landing_allowed(const char *domain, const char *url)
{
	size_t dlen = strlen(domain), hlen;
	const char *host;

	if (!str_has_prefix(url, "https://"))
		return false;
	host = url + 8;
	hlen = strcspn(host, "/?#:");
	return hlen == dlen && strncasecmp(host, domain, dlen) == 0 &&
	       host[hlen] != ':';
}
