// Times in the city's zone, whatever zone the browser's clock is set to.
"use strict";

/// A zone's offset from UTC at moment `d`: "UTC+8" (the browser's own zone when `tz` is undefined).
const utcOffset = (d, tz) => {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "shortOffset" }).formatToParts(d).find((p) => p.type === "timeZoneName");
  const o = part ? part.value.replace("GMT", "UTC") : "UTC";
  return o === "UTC" ? "UTC+0" : o;
};
/// A moment in zone `tz`, in the page's language; the zone's offset is
/// added when the browser's clock is in another zone, so no one reads the
/// city's time as their own.
const atCity = (x, tz, lang) => {
  if (!x) return "—";
  const d = new Date(x);
  const text = d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short", timeZone: tz || undefined });
  return tz && utcOffset(d, tz) !== utcOffset(d) ? `${text} (${utcOffset(d, tz)})` : text;
};
