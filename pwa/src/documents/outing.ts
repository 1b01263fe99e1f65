// The outing (tournée) document shared by a team. After creation a volunteer
// writes `doors` only; each door is keyed by a UUID made on the phone, so two
// phones adding doors offline never collide, and Automerge merges the rest.
import { Automerge, imm, str } from './automerge';
import type { RawDoc } from './contribution';
import type { Door, DoorStatus, OutingView } from './types';

export function createOuting(
  id: string,
  input: { campaign: string; date: string; place: string; team: string[] },
): Automerge.Doc<RawDoc> {
  return Automerge.change(Automerge.init<RawDoc>(), (d) => {
    d.id = imm(id);
    d.type = imm('outing');
    d.schema = 1;
    d.campaign = imm(input.campaign);
    d.date = imm(input.date);
    d.place = imm(input.place);
    d.team = input.team.map(imm);
    d.doors = {};
  });
}

function doorsOf(d: RawDoc): Record<string, Record<string, unknown>> {
  return d.doors as Record<string, Record<string, unknown>>;
}

export function addDoor(
  doc: Automerge.Doc<RawDoc>,
  key: string,
  door: { address: string; status: DoorStatus; by: string; note?: string },
  now: Date = new Date(),
): Automerge.Doc<RawDoc> {
  return Automerge.change(doc, (d) => {
    if (!d.doors) d.doors = {};
    doorsOf(d)[key] = {
      address: imm(door.address),
      status: imm(door.status),
      by: imm(door.by),
      at: imm(now.toISOString()),
      note: door.note ?? '',
    };
  });
}

export function setDoorStatus(
  doc: Automerge.Doc<RawDoc>,
  key: string,
  status: DoorStatus,
  by: string,
  now: Date = new Date(),
): Automerge.Doc<RawDoc> {
  return Automerge.change(doc, (d) => {
    const door = doorsOf(d)[key];
    if (!door) return;
    door.status = imm(status);
    door.by = imm(by);
    door.at = imm(now.toISOString());
  });
}

export function setDoorNote(doc: Automerge.Doc<RawDoc>, key: string, note: string): Automerge.Doc<RawDoc> {
  return Automerge.change(doc, (d) => {
    const door = doorsOf(d)[key];
    if (!door) return;
    if (typeof door.note === 'string') Automerge.updateText(d, ['doors', key, 'note'], note);
    else door.note = note;
  });
}

export function readOuting(doc: Automerge.Doc<RawDoc>): OutingView {
  const d = doc as RawDoc;
  const doors: Door[] = [];
  const raw = (d.doors ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, v] of Object.entries(raw)) {
    doors.push({
      key,
      address: str(v.address) ?? '',
      status: (str(v.status) ?? 'visite') as DoorStatus,
      by: str(v.by) ?? '',
      at: str(v.at) ?? '',
      note: str(v.note) ?? '',
    });
  }
  // Stable order on every phone: by address (numbers sorted as numbers).
  doors.sort((a, b) => a.address.localeCompare(b.address, 'fr', { numeric: true }) || a.key.localeCompare(b.key));
  return {
    id: str(d.id) ?? '',
    campaign: str(d.campaign) ?? '',
    date: str(d.date) ?? '',
    place: str(d.place) ?? '',
    team: Array.isArray(d.team) ? d.team.map((t) => str(t) ?? '') : [],
    doors,
  };
}

export interface OutingCounters {
  doorsKnocked: number;
  conversations: number;
}

export function outingCounters(o: OutingView): OutingCounters {
  return { doorsKnocked: o.doors.length, conversations: o.doors.filter((d) => d.status === 'visite').length };
}
