// parse-ics.js FILE: reads an iCalendar file with ical.js, a parser
// independent of the libical that wrote it, checks what RFC 5545 asks of
// it and prints a deterministic summary for a golden file: the calendar's
// properties, then one line per VTODO sorted by UID.  Exits 1 on the
// first broken rule.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function fail(msg) {
  console.log(`parse-ics: ${msg}`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) fail("usage: parse-ics.js FILE");
const bytes = readFileSync(file);

// Content lines as octets: CRLF ends, at most 75 octets, and each line
// valid UTF-8 on its own, so no fold splits a character.
const utf8 = new TextDecoder("utf-8", { fatal: true });
let start = 0;
let lines = 0;
for (let i = 0; i < bytes.length; i++) {
  if (bytes[i] !== 0x0a) continue;
  if (i === 0 || bytes[i - 1] !== 0x0d) fail(`line ${lines + 1}: no CRLF`);
  const line = bytes.subarray(start, i - 1);
  if (line.length > 75) fail(`line ${lines + 1}: ${line.length} octets`);
  try {
    utf8.decode(line);
  } catch {
    fail(`line ${lines + 1}: a fold splits a UTF-8 sequence`);
  }
  lines++;
  start = i + 1;
}
if (start !== bytes.length) fail("the last line has no CRLF");

let cal;
try {
  cal = new ICAL.Component(ICAL.parse(utf8.decode(bytes)));
} catch (e) {
  fail(`ical.js: ${e.message}`);
}
if (cal.name !== "vcalendar") fail(`top component is ${cal.name}`);
for (const p of ["version", "prodid"]) {
  const n = cal.getAllProperties(p).length;
  if (n !== 1) fail(`${n} ${p.toUpperCase()} properties`);
}

const todos = cal.getAllSubcomponents("vtodo").map((t) => {
  for (const p of ["uid", "dtstamp"]) {
    const n = t.getAllProperties(p).length;
    if (n !== 1) fail(`a VTODO with ${n} ${p.toUpperCase()} properties`);
  }
  for (const p of ["dtend", "duration", "rrule"])
    if (t.hasProperty(p)) fail(`a VTODO with ${p.toUpperCase()}`);
  const stamp = t.getFirstPropertyValue("dtstamp");
  if (stamp.zone !== ICAL.Timezone.utcTimezone)
    fail(`DTSTAMP ${stamp} is not UTC`);
  const due = t.getFirstPropertyValue("due");
  if (!due.isDate) fail(`DUE ${due} is not a DATE`);
  return {
    uid: t.getFirstPropertyValue("uid"),
    stamp: stamp.toString(),
    line: [
      t.getFirstPropertyValue("uid"),
      due.toString(),
      t.getFirstPropertyValue("status"),
      t.getFirstPropertyValue("sequence"),
      t.getFirstPropertyValue("categories"),
      t.getFirstPropertyValue("summary"),
    ].join(" | "),
  };
});
todos.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
for (let i = 1; i < todos.length; i++)
  if (todos[i].uid === todos[i - 1].uid) fail(`UID ${todos[i].uid} twice`);

console.log(`lines: ${lines}, each CRLF, at most 75 octets, whole UTF-8`);
console.log(`version: ${cal.getFirstPropertyValue("version")}`);
console.log(`prodid: ${cal.getFirstPropertyValue("prodid")}`);
console.log(`name: ${cal.getFirstPropertyValue("name")}`);
console.log(`x-wr-calname: ${cal.getFirstPropertyValue("x-wr-calname")}`);
console.log(`dtstamps: ${[...new Set(todos.map((t) => t.stamp))].join(", ")}`);
console.log(`vtodos: ${todos.length}`);
for (const t of todos) console.log(t.line);
