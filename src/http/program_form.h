/*
 * The program form (program_form.c), shared by the wizard and the
 * admin's program page.
 */
#ifndef AFFILIATED_HTTP_PROGRAM_FORM_H
#define AFFILIATED_HTTP_PROGRAM_FORM_H

#include "http/form.h"
#include "http/html.h"
#include "http/merchant.h"
#include "model/model.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * The program form, shared by the wizard (one group per step) and the
 * admin (all groups on one page). Values are kept as text so that they
 * come back as typed after an error.
 */
enum pf_group {
	PG_NAME,
	PG_KIND,
	PG_LANDING,
	PG_COMMISSION,
	PG_FRIEND,
	PG_WINDOW,
	PG_NETWORKS,
	PG__COUNT
};

enum pf_field {
	PF_NAME,
	PF_KIND,
	PF_LANDING,
	PF_REWARD,
	PF_RATE,
	PF_AMOUNT,
	PF_FRIEND,
	PF_WINDOW,
	PF__COUNT
};

struct pform {
	char *val[PF__COUNT]; /* owned */
	enum msg err[PF__COUNT];
	char err_arg[PF__COUNT][64];
	unsigned networks; /* bit i: share_networks[i] offered */
	bool networks_set; /* the networks step was answered */
};

/* The share buttons a program can offer, in display order. */
extern const char *const share_networks[];
enum { SHARE_NETWORKS = 4 };

/* Defaults: the shop's name, referral, home page, 10%, 30 days, all. */
void pform_defaults(struct pform *f, const struct merchant *m);
void pform_from_program(struct pform *f, const struct program *p,
			const struct merchant *m);
/* Takes the values present in form (absent ones stay). */
void pform_take(struct pform *f, const struct form *form);
/* Checks the fields of the groups in mask (1 << group); error count. */
int pform_check(struct pform *f, unsigned mask, const struct merchant *m);
/* Writes a checked form into p (its other fields untouched). */
void pform_apply(const struct pform *f, const struct merchant *m,
		 struct program *p);
void pform_render(struct page *p, const struct pform *f, enum pf_group g,
		  const struct merchant *m);
/* Hidden inputs for every group but except (PG__COUNT: all). */
void pform_hidden(struct page *p, const struct pform *f, enum pf_group except);
void pform_release(struct pform *f);
/* MSG_NONE when url may be a landing page of the shop. */
enum msg landing_check(const struct shop *shop, const char *url);
/* The shop's home page, or "" when it cannot be told. */
void landing_default(const struct shop *shop, char *out, size_t n);
/* "10% of each order", "$5.00 coupon" ... */
void commission_summary(struct buf *out, const struct program *p,
			const struct i18n_lang *lang);

#endif
