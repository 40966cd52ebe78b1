'use strict';
// Schedules and times in words, as an operator reads them: plain functions, no page state.
window.ScheduleText = (function () {
  // The API numbers weekdays 0 = Monday .. 6 = Sunday.
  const DAYS = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];

  function ordinal(n) {
    const s = ['th', 'st', 'nd', 'rd'];
    const v = n % 100;
    return n + (s[(v - 20) % 10] || s[v] || s[0]);
  }

  // Cron expressions that say one simple thing are put in words; any other shows as written.
  function cronText(expr) {
    const f = expr.trim().split(/\s+/);
    if (f.length !== 5) { return null; }
    const [min, hour, dom, mon, dow] = f;
    const rest = dom === '*' && mon === '*' && dow === '*';
    if (rest && hour === '*') {
      if (min === '*') { return 'every minute'; }
      const step = /^\*\/(\d+)$/.exec(min);
      if (step) { return 'every ' + step[1] + ' minutes'; }
    }
    return null;
  }

  /** "every day at 03:00 (Europe/Berlin)", "Sundays at 04:30 (UTC)", "every 15 minutes", … */
  function describe(job) {
    const zone = job.timezone ? ' (' + job.timezone + ')' : '';
    const at = ' at ' + job.schedule_time;
    switch (job.schedule) {
      case 'manual': return 'manual';
      case 'hourly': return 'every hour';
      case 'daily': return 'every day' + at + zone;
      case 'weekly': return (DAYS[job.schedule_day] || 'weekly, day ' + job.schedule_day) + at + zone;
      case 'monthly': return 'monthly on the ' + ordinal(job.schedule_day) + at + zone;
      case 'cron': {
        const words = cronText(job.cron_expression || '');
        return words ? words : 'cron ' + job.cron_expression + zone;
      }
      default: return String(job.schedule);
    }
  }

  /** "in 3 h", "in 12 min", "in 2 d", "5 min ago", "now" for an instant relative to now. */
  function relative(iso, now) {
    const diff = (new Date(iso).getTime() - (now === undefined ? Date.now() : now)) / 1000;
    const a = Math.abs(diff);
    let text;
    if (a < 60) { return 'now'; }
    if (a < 3600) { text = Math.round(a / 60) + ' min'; }
    else if (a < 36 * 3600) { text = Math.round(a / 3600) + ' h'; }
    else { text = Math.round(a / 86400) + ' d'; }
    return diff > 0 ? 'in ' + text : text + ' ago';
  }

  // One formatter per zone: making one costs more than formatting (1,000 rows would pay it twice each).
  const formats = new Map();

  function format(zone) {
    let f = formats.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone || undefined, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      });
      formats.set(zone, f);
    }
    return f;
  }

  /** The absolute time in the job's zone, for a title: "2026-12-06 04:30 Europe/Berlin". */
  function absolute(iso, zone) {
    const d = new Date(iso);
    try {
      const parts = format(zone).formatToParts(d);
      const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
      return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + (zone ? ' ' + zone : '');
    } catch (e) {
      return d.toLocaleString();
    }
  }

  return { describe, relative, absolute };
})();
