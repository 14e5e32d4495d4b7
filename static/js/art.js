// art.js - the platform's pictures, drawn here rather than downloaded: a
// colour per programme and a course illustration made from the programme's
// motif and the course's id (the same course always gets the same picture,
// two courses of one programme look related but not alike). Decorative:
// every picture is aria-hidden, the text beside it says what it shows.

const SVG = 'http://www.w3.org/2000/svg';

// Programme code -> [deep colour (4.5:1 on white and on its tint), tint].
// The same colours are CSS custom properties (--p-<code>) in app.css.
export const PROGRAM_COLORS = {
  ai_academy: ['#1d4ed8', '#e0e9ff'],
  ai_do_dream: ['#b4361e', '#fde6dc'],
  corporate_university: ['#5b3fa8', '#ece6fb'],
  science_academy: ['#0f766e', '#d9f3ef'],
  university_track: ['#1d6b2f', '#e0f2e4'],
  graduate_school: ['#8a2c5b', '#f7e1ec'],
  online: ['#0b6e99', '#dcf0f9'],
  startup_support: ['#9a4a00', '#fdebd6'],
  regional_center: ['#4a5c12', '#ecf2d6'],
};
const FALLBACK = ['#334155', '#e5e9f0'];

/** [deep, tint] colours of a programme code. */
export function programColors(code) {
  return PROGRAM_COLORS[code] || FALLBACK;
}

function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const k of kids) if (k) el.append(k);
  return el;
}

// A small deterministic random sequence from a number (mulberry32).
function seeded(seed) {
  let a = (Number(seed) || 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const W = 320;
const H = 120;

// Shapes of one paint are subpaths of one <path>: a card's picture stays a
// handful of elements (twenty cards of separate circles and bars were
// hundreds of elements to create, style and lay out in the first view).
const n1 = (v) => Math.round(v * 10) / 10;
const circle = (cx, cy, r) => `M${n1(cx - r)} ${n1(cy)}a${n1(r)} ${n1(r)} 0 1 0 ${n1(2 * r)} 0a${n1(r)} ${n1(r)} 0 1 0 ${n1(-2 * r)} 0z`;
const rect = (x, y, w, h) => `M${n1(x)} ${n1(y)}h${n1(w)}v${n1(h)}h${n1(-w)}z`;
const roundRect = (x, y, w, h, r) => `M${n1(x + r)} ${n1(y)}h${n1(w - 2 * r)}a${r} ${r} 0 0 1 ${r} ${r}v${n1(h - 2 * r)}a${r} ${r} 0 0 1 ${-r} ${r}`
  + `h${n1(2 * r - w)}a${r} ${r} 0 0 1 ${-r} ${-r}v${n1(2 * r - h)}a${r} ${r} 0 0 1 ${r} ${-r}z`;

// Each motif draws into g with colour c (deep) and light (tint), using r()
// for the course's variations.
const MOTIFS = {
  // a neural network: layers of nodes and their links
  ai_academy(g, c, light, r) {
    const layers = Array.from({ length: 3 + Math.floor(r() * 2) }, () => 2 + Math.floor(r() * 4));
    const x0 = 130 + r() * 50;
    const dx = 38 + r() * 16;
    const pts = layers.map((n, i) => Array.from({ length: n }, (_, j) => [
      x0 + i * dx, (H / (n + 1)) * (j + 1) + (r() - 0.5) * 10]));
    const links = [];
    for (let i = 0; i + 1 < pts.length; i++) {
      for (const a of pts[i]) {
        for (const b of pts[i + 1]) links.push(`M${n1(a[0])} ${n1(a[1])}L${n1(b[0])} ${n1(b[1])}`);
      }
    }
    g.append(svg('path', { d: links.join(''), stroke: '#fff', 'stroke-opacity': 0.35, 'stroke-width': 1.2, fill: 'none' }));
    g.append(svg('path', { d: pts.flat().map((p) => circle(p[0], p[1], 6)).join(''), fill: '#fff', stroke: c, 'stroke-width': 2 }));
  },
  // building blocks and stars: the young learners' programme
  ai_do_dream(g, c, light, r) {
    const blocks = ['', ''];
    for (let i = 0; i < 5; i++) {
      const s = 18 + r() * 14;
      blocks[i % 2] += roundRect(150 + i * 30, H - 14 - s - (i % 2) * 18, s, s, 4);
    }
    g.append(svg('path', { d: blocks[0], fill: light, 'fill-opacity': 0.9 }));
    g.append(svg('path', { d: blocks[1], fill: '#fff', 'fill-opacity': 0.9 }));
    let stars = '';
    for (let i = 0; i < 6; i++) stars += circle(140 + r() * 170, 10 + r() * 40, 2 + r() * 3);
    g.append(svg('path', { d: stars, fill: '#fff' }));
  },
  // a rising bar chart: the working world
  corporate_university(g, c, light, r) {
    for (let i = 0; i < 7; i++) {
      const hgt = 20 + i * 9 + r() * 16;
      g.append(svg('rect', { x: 160 + i * 21, y: n1(H - 12 - hgt), width: 14, height: n1(hgt), rx: 2, fill: '#fff', 'fill-opacity': 0.35 + i * 0.08 }));
    }
    g.append(svg('polyline', { points: `160,${H - 30} 200,${H - 50} 240,${H - 58} 300,${H - 95}`, fill: 'none', stroke: '#fff', 'stroke-width': 3, 'stroke-linecap': 'round' }));
  },
  // an atom: orbits around a nucleus
  science_academy(g, c, light, r) {
    const cx = n1(235 + (r() - 0.5) * 30);
    for (const a of [0, 60, 120]) {
      g.append(svg('ellipse', { cx, cy: H / 2, rx: 58, ry: 20, fill: 'none', stroke: '#fff', 'stroke-opacity': 0.75, 'stroke-width': 2, transform: `rotate(${n1(a + r() * 10)} ${cx} ${H / 2})` }));
    }
    g.append(svg('circle', { cx, cy: H / 2, r: 9, fill: '#fff' }));
  },
  // a ladder of steps: the university track
  university_track(g, c, light, r) {
    for (let i = 0; i < 6; i++) {
      g.append(svg('rect', { x: 150 + i * 26, y: H - 18 - i * 15, width: 26, height: 18 + i * 15, fill: '#fff', 'fill-opacity': 0.2 + i * 0.1 }));
    }
    g.append(svg('circle', { cx: 150 + 5 * 26 + 13, cy: H - 18 - 5 * 15 - 12, r: 7, fill: '#fff' }));
  },
  // concentric arcs: research
  graduate_school(g, c, light, r) {
    const cx = 250;
    for (let i = 1; i <= 5; i++) {
      g.append(svg('circle', { cx, cy: H + 10, r: n1(i * 22 + r() * 6), fill: 'none', stroke: '#fff', 'stroke-opacity': 0.25 + i * 0.1, 'stroke-width': 3 }));
    }
  },
  // a screen with a play sign and waves: online learning
  online(g, c, light, r) {
    g.append(svg('rect', { x: 180, y: 22, width: 110, height: 72, rx: 8, fill: '#fff', 'fill-opacity': 0.9 }));
    g.append(svg('path', { d: 'M226 44 L226 72 L250 58 Z', fill: c }));
    let waves = '';
    for (let i = 0; i < 3; i++) waves += `M140 ${n1(30 + i * 22 + r() * 4)} q 10 -8 20 0 t 20 0`;
    g.append(svg('path', { d: waves, fill: 'none', stroke: '#fff', 'stroke-opacity': 0.6, 'stroke-width': 2 }));
  },
  // a rising line with a flag: starting a company
  startup_support(g, c, light, r) {
    const pts = Array.from({ length: 6 }, (_, i) => [150 + i * 30, n1(H - 15 - i * 14 - r() * 10)]);
    g.append(svg('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: '#fff', 'stroke-width': 4, 'stroke-linejoin': 'round', 'stroke-linecap': 'round' }));
    const [x, y] = pts[5];
    g.append(svg('path', { d: `M${x} ${y} v-30 l22 8 l-22 8`, fill: '#fff' }));
  },
  // pins on a hexagon grid: the regional centres
  regional_center(g, c, light, r) {
    // each spot one of four shades, so the twelve are four paths
    const shades = ['', '', '', ''];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        shades[Math.min(3, Math.floor(r() * 4))] += circle(160 + i * 38 + (j % 2) * 19, 22 + j * 34, 12);
      }
    }
    shades.forEach((d, k) => { if (d) g.append(svg('path', { d, fill: '#fff', 'fill-opacity': 0.2 + k * 0.08 })); });
    const x = n1(200 + r() * 80);
    g.append(svg('path', { d: `M${x} 70 c -12 -14 -12 -34 0 -34 c 12 0 12 20 0 34 z`, fill: '#fff' }));
    g.append(svg('circle', { cx: x, cy: 48, r: 4, fill: c }));
  },
};

/**
 * The illustration of a course: { program, id } (a catalogue item or a
 * course). An <svg> that keeps its 8:3 shape at any width.
 */
export function courseArt(course, { className = 'course-art' } = {}) {
  const code = course.program || course.program_detail?.code;
  const [c, light] = programColors(code);
  const r = seeded(course.id);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`, class: className, 'aria-hidden': 'true', focusable: 'false',
    preserveAspectRatio: 'xMidYMid slice',
  });
  root.append(svg('rect', { width: W, height: H, fill: c }));
  // faint diagonal bands at an angle of the course's own
  const angle = -30 + r() * 60;
  let stripes = '';
  for (let x = -W; x < 2 * W; x += 28 + Math.floor(r() * 3) * 8) stripes += `M${x} ${-H}h10v${3 * H}h-10z`;
  root.append(svg('path', { d: stripes, fill: '#fff', opacity: 0.07, transform: `rotate(${angle.toFixed(1)} ${W / 2} ${H / 2})` }));
  // a soft wash of the tint from the left, where the text side of a card is
  root.append(svg('circle', { cx: n1(30 + r() * 40), cy: n1(20 + r() * 60), r: n1(90 + r() * 30), fill: light, 'fill-opacity': 0.16 }));
  root.append(svg('circle', { cx: n1(90 + r() * 40), cy: H, r: 50, fill: '#fff', 'fill-opacity': 0.08 }));
  // the motif draws straight into the picture (no group around it)
  (MOTIFS[code] || MOTIFS.university_track)(root, c, light, r);
  return root;
}

/** The platform's mark (the same drawing as /logo.svg), for inline use. */
export function logoMark(size = 32) {
  return svg('svg', { viewBox: '0 0 32 32', width: size, height: size, 'aria-hidden': 'true', focusable: 'false', class: 'logo-mark' },
    svg('rect', { width: 32, height: 32, rx: 8, fill: '#1d4ed8' }),
    svg('path', { d: 'M8 24h5v-5h5v-5h5V9', fill: 'none', stroke: '#fff', 'stroke-width': 3, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }),
    svg('circle', { cx: 23, cy: 9, r: 3, fill: '#fbbf24' }));
}
