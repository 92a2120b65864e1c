/* Seal text along a circular or elliptical arc: even spacing, upright characters, fitting. */
#include <math.h>

#include "image_local.h"

/* Samples of the arc-length table: a 1/1024 of the span is far below a pixel. */
#define ARC_STEPS 1024

es_err es__fit_row(const es__fit *f, size_t n, double pitch, const char *what, double *sx)
{
    *sx = 1.0;
    if (n < 2 || pitch >= f->w + f->gap)
        return ES_OK;
    /* First the characters get narrower, keeping the natural gap... */
    *sx = (pitch - f->gap) / f->w;
    if (*sx >= f->min_sx)
        return ES_OK;
    /* ...then, at the narrowest legible width, the gap shrinks. */
    *sx = f->min_sx;
    if (pitch - f->w * f->min_sx >= f->min_gap)
        return ES_OK;
    return es__fail(ES_ERR_ARG,
                    "the %s (%zu characters) does not fit legibly: at %.0f%% width the characters "
                    "would be %.2f mm apart (at least %.2f mm needed)",
                    what, n, f->min_sx * 100, pitch - f->w * f->min_sx, f->min_gap);
}

typedef struct arc_table {
    double t0, dt;
    double s[ARC_STEPS + 1]; /* arc length from t0 */
} arc_table;

static void point(const es__arc *arc, double t, double *x, double *y)
{
    *x = arc->cx + arc->a * sin(t);
    *y = arc->cy - arc->b * cos(t);
}

static void table_build(const es__arc *arc, arc_table *tb)
{
    double px, py;

    tb->t0 = arc->mid - arc->max_span / 2;
    tb->dt = arc->max_span / ARC_STEPS;
    tb->s[0] = 0;
    point(arc, tb->t0, &px, &py);
    for (int i = 1; i <= ARC_STEPS; i++) {
        double x, y;

        point(arc, tb->t0 + i * tb->dt, &x, &y);
        tb->s[i] = tb->s[i - 1] + hypot(x - px, y - py);
        px = x;
        py = y;
    }
}

/* Arc length at parameter t (inside the table's span). */
static double table_s(const arc_table *tb, double t)
{
    double u = (t - tb->t0) / tb->dt;
    int i = (int)floor(u);

    if (i < 0)
        return 0;
    if (i >= ARC_STEPS)
        return tb->s[ARC_STEPS];
    return tb->s[i] + (u - i) * (tb->s[i + 1] - tb->s[i]);
}

/* Parameter t at arc length s. */
static double table_t(const arc_table *tb, double s)
{
    int lo = 0, hi = ARC_STEPS;

    while (hi - lo > 1) {
        int m = (lo + hi) / 2;

        if (tb->s[m] <= s)
            lo = m;
        else
            hi = m;
    }
    if (tb->s[hi] <= tb->s[lo])
        return tb->t0 + lo * tb->dt;
    return tb->t0 + (lo + (s - tb->s[lo]) / (tb->s[hi] - tb->s[lo])) * tb->dt;
}

es_err es__arc_text(es__canvas *c, const es__ref *r, const es__chars *t, const es__arc *arc,
                    const char *what)
{
    arc_table tb;
    double lmin, lmax, len, pitch = 0, sx = 1, s0, inner;
    es_err rc;

    table_build(arc, &tb);
    lmax = tb.s[ARC_STEPS];
    lmin = table_s(&tb, arc->mid + arc->min_span / 2) - table_s(&tb, arc->mid - arc->min_span / 2);
    /* The centres span the natural length, but never less than min_span nor more than max. */
    len = (double)(t->n - 1) * (arc->fit.w + arc->fit.gap);
    len = len < lmin ? lmin : len > lmax ? lmax : len;
    if (t->n > 1)
        pitch = len / (double)(t->n - 1);
    else
        len = 0;
    /* Characters crowd most at their edge nearer the centre: fit the pitch measured there. */
    inner = 1 - arc->h / (2 * (arc->a < arc->b ? arc->a : arc->b));
    if ((rc = es__fit_row(&arc->fit, t->n, pitch * (arc->outward ? inner : 1), what, &sx)) != ES_OK)
        return rc;
    s0 = table_s(&tb, arc->mid) - len / 2;
    for (size_t i = 0; i < t->n; i++) {
        /* Upper arc reads clockwise (t grows); lower arc reads left to right (t falls). */
        double s = arc->outward ? s0 + (double)i * pitch : s0 + len - (double)i * pitch;
        double tt = table_t(&tb, s), x, y;
        /* Outward normal of the ellipse; a character's top points along it. */
        double rot = atan2(sin(tt) / arc->a, cos(tt) / arc->b);

        point(arc, tt, &x, &y);
        es__glyph_draw(c, r, t->p[i], t->len[i], x, y, arc->outward ? rot : rot + ES__PI, arc->h,
                       sx);
    }
    return ES_OK;
}

es_err es__line_text(es__canvas *c, const es__ref *r, const es__chars *t, double x, double y,
                     double h, double max_w, const es__fit *f, const char *what)
{
    double n = (double)t->n, sx = 1, gap = f->gap, pitch;

    if ((n - 1) * f->gap + n * f->w > max_w) {
        /* Narrower characters first, then less space between them. */
        sx = (max_w - (n - 1) * f->gap) / (n * f->w);
        if (sx < f->min_sx) {
            sx = f->min_sx;
            gap = t->n > 1 ? (max_w - n * f->w * sx) / (n - 1) : 0;
            if (gap < f->min_gap)
                return es__fail(ES_ERR_ARG,
                                "the %s (%zu characters) does not fit legibly in %.1f mm: at "
                                "%.0f%% width it needs %.1f mm",
                                what, t->n, max_w, f->min_sx * 100,
                                n * f->w * sx + (n - 1) * f->min_gap);
        }
    }
    pitch = f->w * sx + gap;
    for (size_t i = 0; i < t->n; i++)
        es__glyph_draw(c, r, t->p[i], t->len[i], x + ((double)i - (n - 1) / 2) * pitch, y, 0, h,
                       sx);
    return ES_OK;
}
