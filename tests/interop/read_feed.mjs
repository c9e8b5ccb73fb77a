// Reads an .ics feed on stdin with ical.js (Thunderbird's and Nextcloud's parser) and prints
// {"UID": start as Unix seconds} for every VEVENT, resolving TZIDs through the feed's VTIMEZONEs.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const starts = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  starts[event.uid] = event.startDate.toUnixTime();
}
process.stdout.write(JSON.stringify(starts));
