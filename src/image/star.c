/* The five-pointed star in the centre of a round organisation seal. */
#include <math.h>

#include "image_local.h"

void es__star(es__canvas *c, double x, double y, double r)
{
    /* A regular star's inner vertices lie at cos(72°)/cos(36°) of its outer radius. */
    double inner = r * cos(2 * ES__PI / 5) / cos(ES__PI / 5);

    for (int k = 0; k < 10; k++) {
        double t = k * ES__PI / 5, rr = (k % 2) ? inner : r;
        double px = x + rr * sin(t), py = y - rr * cos(t);

        if (k == 0)
            cairo_move_to(c->cr, px, py);
        else
            cairo_line_to(c->cr, px, py);
    }
    cairo_close_path(c->cr);
    cairo_fill(c->cr);
}
