// SPDX-License-Identifier: Apache-2.0
// dates.js — dates as the intervals they are. The API gives a date either
// as text ("2024", "2024-07", "2024-W12", "2024-07-02", "A/B", "../2024")
// or as {"earliest","latest","precision"}; this module turns both into
// {earliest, latest, precision} with day numbers (days since 1970-01-01,
// null for an open end), shows them as text, and subtracts them keeping the
// uncertainty (as the library's rn_date_span does).

const DAY = 86400000;

function dayNumber(y, m, d) {
  return Math.round(Date.UTC(y, m - 1, d) / DAY);
}

function ymd(n) {
  const d = new Date(n * DAY);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

export function isoDay(n) {
  const [y, m, d] = ymd(n);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

// Monday of ISO week 1 of year y.
function isoWeek1(y) {
  const jan4 = dayNumber(y, 1, 4);
  const wd = (new Date(jan4 * DAY).getUTCDay() + 6) % 7; // 0 = Monday
  return jan4 - wd;
}

// One unit ("2024", "2024-07", "2024-W12", "2024-07-02") as an interval.
function unit(s) {
  let m;
  if ((m = /^(\d{4})$/.exec(s))) return { earliest: dayNumber(+m[1], 1, 1), latest: dayNumber(+m[1], 12, 31), precision: 'year' };
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) {
    const y = +m[1], mo = +m[2];
    if (mo < 1 || mo > 12) return null;
    return { earliest: dayNumber(y, mo, 1), latest: dayNumber(y, mo + 1, 1) - 1, precision: 'month' };
  }
  if ((m = /^(\d{4})-W(\d{2})$/.exec(s))) {
    const e = isoWeek1(+m[1]) + (+m[2] - 1) * 7;
    return { earliest: e, latest: e + 6, precision: 'week' };
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) {
    const n = dayNumber(+m[1], +m[2], +m[3]);
    if (isoDay(n) !== s) return null;
    return { earliest: n, latest: n, precision: 'day' };
  }
  return null;
}

// Parse a date as the API gives it; null when there is none or it is malformed.
export function parse(v) {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'object') {
    const e = v.earliest === '..' ? null : unit(v.earliest);
    const l = v.latest === '..' ? null : unit(v.latest);
    if ((v.earliest !== '..' && !e) || (v.latest !== '..' && !l)) return null;
    return { earliest: e ? e.earliest : null, latest: l ? l.latest : null, precision: v.precision || 'day' };
  }
  const s = String(v).trim();
  const slash = s.indexOf('/');
  if (slash < 0) return unit(s);
  const a = s.slice(0, slash), b = s.slice(slash + 1);
  const ua = a === '..' ? null : unit(a), ub = b === '..' ? null : unit(b);
  if ((a !== '..' && !ua) || (b !== '..' && !ub) || (!ua && !ub)) return null;
  return { earliest: ua ? ua.earliest : null, latest: ub ? ub.latest : null, precision: (ua || ub).precision };
}

function unitText(n, precision) {
  const [y, m] = ymd(n);
  switch (precision) {
    case 'year': return pad(y, 4);
    case 'month': return `${pad(y, 4)}-${pad(m)}`;
    case 'week': {
      // the ISO week-year may differ from the calendar year near 1 January
      let wy = y + 1;
      while (isoWeek1(wy) > n) wy--;
      return `${pad(wy, 4)}-W${pad(Math.floor((n - isoWeek1(wy)) / 7) + 1)}`;
    }
    default: return isoDay(n);
  }
}

// The text form of a date, as the interval it is ("2024-07", "2024-07/2024-08").
export function format(v) {
  const d = typeof v === 'object' && v && 'earliest' in v && typeof v.earliest === 'number' ? v : parse(v);
  if (!d) return '';
  const a = d.earliest === null ? '..' : unitText(d.earliest, d.precision);
  const b = d.latest === null ? '..' : unitText(d.latest, d.precision);
  return a === b ? a : `${a}/${b}`;
}

// Days from a to b as [min, max] keeping both uncertainties; null ends are open.
export function span(a, b) {
  const A = typeof a?.earliest === 'number' || a?.earliest === null ? a : parse(a);
  const B = typeof b?.earliest === 'number' || b?.earliest === null ? b : parse(b);
  if (!A || !B) return null;
  const min = B.earliest === null || A.latest === null ? null : B.earliest - A.latest;
  const max = B.latest === null || A.earliest === null ? null : B.latest - A.earliest;
  return { min, max };
}

// Whole months in a number of days (30.44 days each), for showing spans.
export function months(days) {
  return days === null ? null : Math.round(days / 30.44);
}
