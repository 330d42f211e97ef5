#!/usr/bin/env python3
"""Draws docs/img/sim-cost.svg from docs/data/sim-cost.csv: the simulator's CPU time
against the number of HPA syncs it ran, on log-log axes, with a line through the origin
(cost linear in HPAs x duration, through the latest date's mean cost per sync) and the
goals for 100 and 1,000 HPAs over 24 hours; and docs/img/sim-per-sync.svg: the CPU time
per sync against the number of HPAs, one line per date.

CSV columns: date,hpas,duration,syncs,runs,cpu_min,cpu_median,cpu_max (one row per date,
fleet and duration: the fastest, median and slowest of its runs). Points are medians, bars
the range; the latest date's points are filled, earlier dates' hollow.
"""
import csv
import math
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = os.path.join(root, "docs", "data", "sim-cost.csv")
out = os.path.join(root, "docs", "img", "sim-cost.svg")
rows = list(csv.DictReader(open(src)))
if not rows:
    sys.exit("no rows in " + src)

W, H, L, R, T, B = 640, 400, 70, 20, 40, 50
xs = [float(r["syncs"]) for r in rows]
ys = [float(r["cpu_median"]) for r in rows]
lo = [float(r["cpu_min"]) for r in rows]
hi = [float(r["cpu_max"]) for r in rows]
x0, x1 = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
y0, y1 = 10 ** math.floor(math.log10(min(lo))), 10 ** math.ceil(math.log10(max(hi)))


def px(x):
    return L + (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * (W - L - R)


def py(y):
    return H - B - (math.log10(y) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * (H - T - B)


colors = {"10": "#1b9e77", "100": "#d95f02", "1000": "#7570b3"}
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W/2}" y="20" text-anchor="middle" font-size="14">alpaca simulate: CPU time against HPA syncs (log-log; median, range)</text>']
d = x0
while d <= x1:
    svg.append(f'<line x1="{px(d):.1f}" y1="{T}" x2="{px(d):.1f}" y2="{H-B}" stroke="#ddd"/>')
    svg.append(f'<text x="{px(d):.1f}" y="{H-B+16}" text-anchor="middle">{d:,.0f}</text>')
    d *= 10
d = y0
while d <= y1:
    svg.append(f'<line x1="{L}" y1="{py(d):.1f}" x2="{W-R}" y2="{py(d):.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{L-6}" y="{py(d)+4:.1f}" text-anchor="end">{d:g} s</text>')
    d *= 10
svg.append(f'<text x="{(L+W-R)/2}" y="{H-12}" text-anchor="middle">HPA syncs (HPAs x duration / 15 s)</text>')
# linear cost through the latest date's mean cost per sync
latest = max(r["date"] for r in rows)
now = [(x, y) for r, x, y in zip(rows, xs, ys) if r["date"] == latest]
per_sync = sum(y / x for x, y in now) / len(now)
svg.append(f'<line x1="{px(x0):.1f}" y1="{py(max(y0, per_sync*x0)):.1f}" x2="{px(x1):.1f}" y2="{py(min(y1, per_sync*x1)):.1f}" stroke="#999" stroke-dasharray="4 4"/>')
svg.append(f'<text x="{px(x1)-4:.1f}" y="{py(min(y1, per_sync*x1))+14:.1f}" text-anchor="end" fill="#666">linear: {per_sync*1e6:.1f} µs per sync</text>')
for hpas, goal in ((100, 2), (1000, 30)):
    goal_x = hpas * 24 * 3600 / 15
    svg.append(f'<line x1="{px(goal_x)-30:.1f}" y1="{py(goal):.1f}" x2="{px(goal_x)+30:.1f}" y2="{py(goal):.1f}" stroke="#c00" stroke-width="2"/>')
    svg.append(f'<text x="{px(goal_x)-34:.1f}" y="{py(goal)+4:.1f}" text-anchor="end" fill="#c00">goal: {hpas:,} HPAs x 24 h under {goal} s</text>')
for i, (r, x, y) in enumerate(zip(rows, xs, ys)):
    c = colors.get(r["hpas"], "#333")
    filled = r["date"] == latest
    svg.append(f'<line x1="{px(x):.1f}" y1="{py(lo[i]):.1f}" x2="{px(x):.1f}" y2="{py(hi[i]):.1f}" stroke="{c}" stroke-width="2"/>')
    fill = c if filled else "white"
    svg.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="5" fill="{fill}" stroke="{c}" stroke-width="2"/>')
    if filled:
        label = f'{r["hpas"]} x {r["duration"]}: {y:.2f} s'
        if px(x) + 8 + 7 * len(label) > W:
            svg.append(f'<text x="{px(x)-8:.1f}" y="{py(y)+16:.1f}" text-anchor="end" fill="{c}">{label}</text>')
        else:
            svg.append(f'<text x="{px(x)+8:.1f}" y="{py(y)+16:.1f}" fill="{c}">{label}</text>')
svg.append(f'<text x="{L+8}" y="{T+14}" fill="#333">filled: {latest}; hollow: earlier (see docs/simulator.md)</text>')
svg.append("</svg>")
open(out, "w").write("\n".join(svg) + "\n")
print("wrote", out)

# The time per sync against the fleet's size: one line per date, from its longest run of
# each fleet size (the shorter runs carry more of the scenario's parsing).
out = os.path.join(root, "docs", "img", "sim-per-sync.svg")
dates = sorted({r["date"] for r in rows})
best = {}
for r in rows:
    k = (r["date"], int(r["hpas"]))
    if k not in best or float(r["syncs"]) > float(best[k]["syncs"]):
        best[k] = r
sizes = sorted({h for _, h in best})
per = {k: float(r["cpu_median"]) / float(r["syncs"]) * 1e6 for k, r in best.items()}
ymax = 10 ** math.ceil(math.log10(max(per.values())))
qx0, qx1 = 10 ** math.floor(math.log10(min(sizes))), 10 ** math.ceil(math.log10(max(sizes)))


def qx(h):
    return L + (math.log10(h) - math.log10(qx0)) / (math.log10(qx1) - math.log10(qx0)) * (W - L - R)


def qy(us):
    return H - B - us / ymax * (H - T - B)


palette = ["#bbb", "#888", "#d95f02", "#1b9e77", "#7570b3"]
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W/2}" y="20" text-anchor="middle" font-size="14">alpaca simulate: CPU time per HPA sync against the fleet size</text>']
for i in range(6):
    us = ymax * i / 5
    svg.append(f'<line x1="{L}" y1="{qy(us):.1f}" x2="{W-R}" y2="{qy(us):.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{L-6}" y="{qy(us)+4:.1f}" text-anchor="end">{us:g} µs</text>')
d = qx0
while d <= qx1:
    svg.append(f'<line x1="{qx(d):.1f}" y1="{T}" x2="{qx(d):.1f}" y2="{H-B}" stroke="#ddd"/>')
    svg.append(f'<text x="{qx(d):.1f}" y="{H-B+16}" text-anchor="middle">{d:,.0f}</text>')
    d *= 10
svg.append(f'<text x="{(L+W-R)/2}" y="{H-12}" text-anchor="middle">HPAs (log)</text>')
for j, date in enumerate(dates):
    c = palette[max(0, len(palette) - len(dates) + j)]
    pts = [(qx(h), qy(per[(date, h)])) for h in sizes if (date, h) in per]
    svg.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (c, " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
    for (x, y), h in zip(pts, [h for h in sizes if (date, h) in per]):
        svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{c}"/>')
        anchor = ' text-anchor="end"' if x > W - 60 else ""
        tx = x - 6 if anchor else x + 6
        svg.append(f'<text x="{tx:.1f}" y="{y-6:.1f}"{anchor} fill="{c}">{per[(date, h)]:.1f}</text>')
    svg.append(f'<text x="{L+8}" y="{T+14+16*j}" fill="{c}">{date}</text>')
svg.append("</svg>")
open(out, "w").write("\n".join(svg) + "\n")
print("wrote", out)
