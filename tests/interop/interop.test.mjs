// JS client interop: Node "phones" using the real `@automerge/automerge` npm
// package sync with the real `porte-voix` server (docs/SYNC-PROTOCOL.md).
// Each test is something a volunteer, a team or the officer relies on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ACCOUNTS, startServer } from './harness.mjs';
import { Automerge, Phone, imm } from './phone.mjs';

// Places whose commune is known from the territory outlines (well inside).
const VILLEURBANNE = { lat: 45.7665, lon: 4.8795 }; // Gratte-Ciel
const LYON3 = { lat: 45.7597, lon: 4.859 }; // Part-Dieu

const sameHeads = (a, b) => [...a].sort().join() === [...b].sort().join();
const str = (v) => (v == null ? v : String(v));
const resultFor = (reply, id) => {
  const r = reply.documents.find((d) => d.id === id);
  assert.ok(r, `the reply has a result for ${id}`);
  return r;
};

let server;
const phone = (account, name) => new Phone(server.url, account, name).login();

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

describe('JS client ↔ Rust server interop', () => {
  it('a volunteer creates contributions in JS with Text; sync stores them, geotags them and sends geo back', async () => {
    const vol = await phone(ACCOUNTS.volunteer);
    await vol.sync(); // first sync of a fresh phone: the user's demo documents arrive as updates

    const texts = {
      villeurbanne: "« Les trottoirs sont glissants 🍂 près de l'école »",
      lyon3: 'Il faudrait des bancs à l’ombre — vite ! 🌳🪑 (Part-Dieu, côté rue Garibaldi)',
      declared: 'Pas de GPS : commune déclarée. Ça déborde, ñ, ß, 日本, 👩‍👩‍👧',
    };
    const ids = {
      villeurbanne: vol.createContribution({ text: texts.villeurbanne, ...VILLEURBANNE, themes: ['cleanliness', 'mobility'] }),
      lyon3: vol.createContribution({ text: texts.lyon3, ...LYON3, kind: 'proposal', themes: ['ecology'] }),
      declared: vol.createContribution({ text: texts.declared, declaredCommune: '69266', kind: 'expectation' }),
    };
    for (const id of Object.values(ids)) assert.equal(typeof vol.doc(id).text, 'string', 'text is Automerge Text');

    const { request, reply } = await vol.sync();
    for (const [name, id] of Object.entries(ids)) {
      const sent = request.documents.find((d) => d.id === id);
      assert.ok(sent.changes, `${name}: the request carries the whole new document`);
      const r = resultFor(reply, id);
      assert.equal(r.status, 'ok', `${name}: ${r.status} ${r.reason ?? ''}`);
      assert.ok(r.changes, `${name}: the reply brings back what the phone lacks (geo)`);
      assert.ok(sameHeads(Automerge.getHeads(vol.doc(id)), r.heads), `${name}: phone heads = server heads`);
      assert.deepEqual(vol.entry(id).lastServerHeads, r.heads);
    }

    // geo, written by the server, read in JS: scalar strings, right places.
    const geo = (id) => vol.doc(id).geo;
    assert.ok(Automerge.isImmutableString(geo(ids.villeurbanne).commune), 'geo.commune is a scalar string');
    assert.equal(str(geo(ids.villeurbanne).commune), '69266');
    assert.equal(str(geo(ids.villeurbanne).commune_name), 'Villeurbanne');
    assert.equal(geo(ids.villeurbanne).outside, false);
    assert.equal(str(geo(ids.lyon3).commune), '69123');
    assert.equal(str(geo(ids.lyon3).arrondissement), '69383');
    assert.equal(str(geo(ids.declared).commune), '69266');

    // The REST view of the server's copy: exactly the text JS wrote.
    for (const [name, id] of Object.entries(ids)) {
      const got = await vol.api(`/api/v1/contributions/${id}`);
      assert.equal(got.status, 200, name);
      assert.equal(got.body.text, texts[name], `${name}: text round-trips byte for byte`);
      assert.equal(got.body.text, vol.doc(id).text);
      assert.equal(got.body.author, vol.user.id);
      assert.deepEqual(got.body.themes, vol.doc(id).themes.map(String));
    }
    const v = (await vol.api(`/api/v1/contributions/${ids.villeurbanne}`)).body;
    assert.equal(v.geo.commune, '69266');
    assert.equal(v.location.lat, VILLEURBANNE.lat);
    assert.equal(v.location.source, 'gps');
    const l = (await vol.api(`/api/v1/contributions/${ids.lyon3}`)).body;
    assert.equal(l.geo.commune, '69123');
    assert.equal(l.geo.arrondissement, '69383');

    // The commune accounts see what JS placed in their territory, and only that.
    const villeurbanne = await phone(ACCOUNTS.villeurbanne);
    const lyon3 = await phone(ACCOUNTS.lyon3);
    assert.equal((await villeurbanne.api(`/api/v1/contributions/${ids.villeurbanne}`)).status, 200);
    assert.equal((await villeurbanne.api(`/api/v1/contributions/${ids.lyon3}`)).status, 404);
    assert.equal((await lyon3.api(`/api/v1/contributions/${ids.lyon3}`)).status, 200);
    assert.equal((await lyon3.api(`/api/v1/contributions/${ids.villeurbanne}`)).status, 404);

    // And the other way: Text written by the Rust demo reads the same in JS.
    const demo = [...vol.docs.entries()].filter(([id, e]) => e.type === 'contribution' && !Object.values(ids).includes(id));
    assert.ok(demo.length > 0, "the volunteer's demo contributions arrived as updates");
    for (const [id, e] of demo) {
      const got = await vol.api(`/api/v1/contributions/${id}`);
      assert.equal(got.body.text, e.doc.text);
    }
  });

  it('the volunteer edits text offline while the officer reviews through REST: both edits survive, heads agree', async () => {
    const vol = await phone(ACCOUNTS.volunteer);
    const officer = await phone(ACCOUNTS.officer);
    await vol.sync();
    const original = 'Le lampadaire de la rue est en panne depuis un mois.';
    const id = vol.createContribution({ text: original, ...VILLEURBANNE, themes: ['safety'] });
    assert.equal(resultFor((await vol.sync()).reply, id).status, 'ok');

    // Offline on the phone...
    const edited = 'Le lampadaire de la rue Francis-de-Pressensé est en panne depuis un mois — « dangereux la nuit » 🌙.';
    vol.change(id, (d) => Automerge.updateText(d, ['text'], edited));
    // ...while the officer qualifies it.
    const put = await officer.api(`/api/v1/contributions/${id}/review`, {
      method: 'PUT',
      body: { status: 'qualified', themes: ['safety'], notes: 'Transmis aux services techniques' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.review.status, 'qualified');
    assert.equal(put.body.text, original, 'the officer has not seen the offline edit yet');

    const { reply } = await vol.sync();
    const r = resultFor(reply, id);
    assert.equal(r.status, 'ok', r.reason);
    assert.ok(r.changes, "the reply carries the officer's review");

    const doc = vol.doc(id);
    assert.equal(doc.text, edited);
    assert.equal(str(doc.review.status), 'qualified');
    assert.ok(Automerge.isImmutableString(doc.review.status), 'review.status is a scalar string');
    assert.equal(str(doc.review.notes), 'Transmis aux services techniques');
    assert.ok(sameHeads(Automerge.getHeads(doc), r.heads), 'phone heads = server heads');

    for (const who of [officer, vol]) {
      const got = await who.api(`/api/v1/contributions/${id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.text, edited, `${who.name} sees the new text`);
      assert.equal(got.body.review.status, 'qualified', `${who.name} sees the review`);
      assert.equal(got.body.review.notes, 'Transmis aux services techniques');
    }
    const server = await officer.fetchServerCopy(id, 'contribution');
    assert.ok(sameHeads(server.heads, Automerge.getHeads(doc)));
    assert.deepEqual(Automerge.toJS(server.doc), Automerge.toJS(doc));

    // The index follows: the volunteer's list filtered by status finds it.
    const list = await vol.api('/api/v1/contributions?author=me&status=qualified&per_page=200');
    assert.ok(list.body.items.some((c) => c.id === id));
  });

  it('the officer reviews through sync from JS while the volunteer edits: phone, officer and server converge', async () => {
    const vol = await phone(ACCOUNTS.volunteer);
    const officer = await phone(ACCOUNTS.officer);
    await vol.sync();
    await officer.sync(); // everything the officer may read, in pages (`more`)
    const original = 'Les poubelles du square débordent le lundi.';
    const id = vol.createContribution({ text: original, ...LYON3, themes: ['cleanliness'] });
    assert.equal(resultFor((await vol.sync()).reply, id).status, 'ok');

    const { reply: o1 } = await officer.sync();
    assert.ok(o1.updates.some((u) => u.id === id && u.type === 'contribution'), 'the new contribution reaches the officer as an update');
    assert.equal(officer.doc(id).text, original);

    // Concurrently, offline: the officer writes a review, the volunteer edits the text.
    officer.change(id, (d) => {
      d.review = { status: imm('qualified'), themes: [imm('cleanliness')], tags: [imm('square')], notes: imm('Vu avec la Métropole') };
    });
    vol.change(id, (d) => Automerge.splice(d, ['text'], original.length - 1, 1, ', et aussi le jeudi 🗑️.'));
    const edited = vol.doc(id).text;
    assert.equal(edited, 'Les poubelles du square débordent le lundi, et aussi le jeudi 🗑️.');

    const o2 = resultFor((await officer.sync([id])).reply, id);
    assert.equal(o2.status, 'ok', o2.reason);
    const v = resultFor((await vol.sync()).reply, id);
    assert.equal(v.status, 'ok', v.reason);
    const o3 = resultFor((await officer.sync([id])).reply, id);
    assert.equal(o3.status, 'ok', o3.reason);

    const vdoc = vol.doc(id);
    const odoc = officer.doc(id);
    assert.equal(vdoc.text, edited);
    assert.equal(str(vdoc.review.status), 'qualified');
    assert.deepEqual(vdoc.review.tags.map(String), ['square']);
    assert.ok(sameHeads(Automerge.getHeads(vdoc), v.heads), 'volunteer heads = server heads');
    assert.ok(sameHeads(Automerge.getHeads(odoc), o3.heads), 'officer heads = server heads');
    assert.deepEqual(Automerge.toJS(odoc), Automerge.toJS(vdoc));
    const got = await officer.api(`/api/v1/contributions/${id}`);
    assert.equal(got.body.text, edited);
    assert.equal(got.body.review.status, 'qualified');
    assert.equal(got.body.review.notes, 'Vu avec la Métropole');
    assert.deepEqual(got.body.review.tags, ['square']);
  });

  it('two phones of the outing team log doors offline and converge with each other and the server', async () => {
    const p1 = await phone(ACCOUNTS.volunteer, 'benevole');
    const p2 = await phone(ACCOUNTS.volunteer2, 'benevole2');
    const officer = await phone(ACCOUNTS.officer);
    const { reply: r1 } = await p1.sync();
    const { reply: r2 } = await p2.sync();
    const outing1 = r1.updates.filter((u) => u.type === 'outing').map((u) => u.id);
    const outing2 = r2.updates.filter((u) => u.type === 'outing').map((u) => u.id);
    assert.equal(outing1.length, 1, 'the demo outing reaches benevole at first sync');
    assert.deepEqual(outing2, outing1, 'the same outing reaches benevole2');
    const id = outing1[0];
    const team = p1.doc(id).team.map(String);
    assert.ok(team.includes(p1.user.id) && team.includes(p2.user.id));
    const doorsBefore = Object.keys(p1.doc(id).doors).length;

    const door = (p, address, status, note) => ({
      address: imm(address),
      status: imm(status),
      by: imm(p.user.id),
      at: imm(new Date().toISOString()),
      note, // Text
    });
    const [k1, k2, k3, k4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    p1.change(id, (d) => {
      d.doors[k1] = door(p1, '12 rue Racine', 'visite', 'Intéressée par les jardins partagés 🌱');
      d.doors[k2] = door(p1, '14 rue Racine', 'absent', '');
    });
    p2.change(id, (d) => {
      d.doors[k3] = door(p2, '3 avenue Henri-Barbusse', 'refus', 'Pas le temps');
      d.doors[k4] = door(p2, '5 avenue Henri-Barbusse', 'a_revoir', 'Repasser après 18 h');
    });

    const s1 = resultFor((await p1.sync()).reply, id);
    const s2 = resultFor((await p2.sync()).reply, id);
    assert.equal(s1.status, 'ok', s1.reason);
    assert.equal(s2.status, 'ok', s2.reason);
    assert.ok(s2.changes, "benevole2 receives benevole's doors in the reply");
    const s3 = resultFor((await p1.sync()).reply, id);
    assert.equal(s3.status, 'ok', s3.reason);

    const d1 = Automerge.toJS(p1.doc(id));
    const d2 = Automerge.toJS(p2.doc(id));
    assert.deepEqual(d1, d2, 'both phones hold the same outing');
    assert.equal(Object.keys(d1.doors).length, doorsBefore + 4);
    assert.ok(sameHeads(Automerge.getHeads(p1.doc(id)), Automerge.getHeads(p2.doc(id))));
    assert.ok(sameHeads(Automerge.getHeads(p1.doc(id)), s3.heads));
    const server = await officer.fetchServerCopy(id, 'outing');
    assert.deepEqual(Automerge.toJS(server.doc), d1, 'the server holds the same outing');
    assert.ok(sameHeads(server.heads, s3.heads));
    assert.equal(typeof server.doc.doors[k1].note, 'string', 'note stays Text on the server');
    assert.ok(Automerge.isImmutableString(server.doc.doors[k1].address), 'address stays a scalar string');
    assert.equal(str(server.doc.doors[k3].status), 'refus');

    // Both amend the same door's note at once: Text keeps both edits.
    p1.change(id, (d) => Automerge.splice(d, ['doors', k1, 'note'], 0, 0, 'Mme B. '));
    p2.change(id, (d) => Automerge.splice(d, ['doors', k1, 'note'], d.doors[k1].note.length, 0, ' — rappeler en mai'));
    for (const p of [p1, p2, p1]) assert.equal(resultFor((await p.sync()).reply, id).status, 'ok');
    const note = 'Mme B. Intéressée par les jardins partagés 🌱 — rappeler en mai';
    assert.equal(p1.doc(id).doors[k1].note, note);
    assert.equal(p2.doc(id).doors[k1].note, note);
    assert.equal((await officer.fetchServerCopy(id, 'outing')).doc.doors[k1].note, note);
  });

  describe('what the server refuses, from JS', () => {
    it('a volunteer writing `review`, `geo` or `author` on their own contribution is forbidden and nothing is stored', async () => {
      const vol = await phone(ACCOUNTS.volunteer);
      await vol.sync();
      const writes = {
        review: (d) => {
          d.review = { status: imm('closed'), themes: [], tags: [], notes: imm('') };
        },
        geo: (d) => {
          d.geo.commune = imm('69123');
        },
        author: (d) => {
          d.author = imm('someone-else');
        },
      };
      for (const [field, write] of Object.entries(writes)) {
        const id = vol.createContribution({ text: `Contribution où j'essaie d'écrire ${field}`, ...VILLEURBANNE });
        assert.equal(resultFor((await vol.sync([id])).reply, id).status, 'ok');
        const stored = await vol.api(`/api/v1/contributions/${id}`);
        const heads = vol.entry(id).lastServerHeads;

        vol.change(id, write);
        const { reply } = await vol.sync([id]);
        const r = resultFor(reply, id);
        assert.equal(r.status, 'forbidden', `${field}: ${r.status} ${r.reason ?? ''}`);
        assert.match(r.reason ?? '', new RegExp(field), 'the reason names the field');
        assert.equal(r.heads, undefined, 'no heads with a refusal');
        assert.deepEqual(vol.entry(id).lastServerHeads, heads, 'the phone does not mark it received');

        const now = await vol.api(`/api/v1/contributions/${id}`);
        assert.deepEqual(now.body, stored.body, `${field}: the server copy is unchanged`);
        const officer = await phone(ACCOUNTS.officer);
        const copy = await officer.fetchServerCopy(id, 'contribution');
        assert.ok(sameHeads(copy.heads, heads), `${field}: the server's heads did not move`);
      }
    });

    it("a volunteer sending changes for another volunteer's contribution is forbidden", async () => {
      const owner = await phone(ACCOUNTS.volunteer);
      const other = await phone(ACCOUNTS.volunteer2);
      const id = owner.createContribution({ text: 'Le marché manque de poubelles.', ...VILLEURBANNE });
      assert.equal(resultFor((await owner.sync([id])).reply, id).status, 'ok');
      const stored = await owner.api(`/api/v1/contributions/${id}`);
      assert.equal((await other.api(`/api/v1/contributions/${id}`)).status, 404, 'not readable by another volunteer');

      // A copy of the owner's document lands on the other phone (say, a shared
      // device's leftovers); its user edits the text and syncs.
      other.adopt(id, 'contribution', Automerge.save(owner.doc(id)), owner.entry(id).lastServerHeads);
      other.change(id, (d) => Automerge.updateText(d, ['text'], 'Texte réécrit par quelqu’un d’autre'));
      const r = resultFor((await other.sync([id])).reply, id);
      assert.equal(r.status, 'forbidden', `${r.status} ${r.reason ?? ''}`);
      assert.equal(r.changes, undefined, 'nothing of the document leaks back');
      // The whole document, from scratch, is refused too.
      other.entry(id).lastServerHeads = [];
      assert.equal(resultFor((await other.sync([id])).reply, id).status, 'forbidden');
      // And asking for it without changes does not reveal it.
      const peek = await other.send({ protocol: 1, cursor: other.cursor, documents: [{ id, type: 'contribution', heads: [] }] });
      assert.equal(peek.body.documents[0].status, 'forbidden');
      assert.equal(peek.body.documents[0].changes, undefined);

      // A new contribution in another volunteer's name is refused as well.
      const forged = other.createContribution({ text: "Au nom d'un autre", ...VILLEURBANNE });
      other.change(forged, (d) => {
        d.author = imm(owner.user.id);
      });
      assert.equal(resultFor((await other.sync([forged])).reply, forged).status, 'forbidden');
      assert.equal((await owner.api(`/api/v1/contributions/${forged}`)).status, 404, 'nothing stored');

      assert.deepEqual((await owner.api(`/api/v1/contributions/${id}`)).body, stored.body, 'the server copy is unchanged');
    });

    it('a commune account does not sync: 403, no document bytes, nothing stored', async () => {
      const vol = await phone(ACCOUNTS.volunteer);
      const id = vol.createContribution({ text: 'Un arbre est tombé sur le trottoir.', ...VILLEURBANNE });
      assert.equal(resultFor((await vol.sync([id])).reply, id).status, 'ok');
      const stored = await vol.api(`/api/v1/contributions/${id}`);
      const author = stored.body.author;
      assert.ok(author, 'the author reads her own author field');

      const commune = await phone(ACCOUNTS.villeurbanne);
      // Asking for everything, or for that one document by id: refused as a
      // whole, and the refusal carries neither bytes nor the author.
      for (const request of [
        { protocol: 1, documents: [] },
        { protocol: 1, documents: [{ id, type: 'contribution', heads: [] }] },
      ]) {
        const r = await commune.send(request);
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'forbidden');
        assert.ok(!JSON.stringify(r.body).includes(author));
      }
      // REST is the commune's way in, without the author.
      const read = await commune.api(`/api/v1/contributions/${id}`);
      assert.equal(read.status, 200);
      assert.ok(!JSON.stringify(read.body).includes(author), 'no author for a commune');

      // Creating one through sync stores nothing.
      const own = commune.createContribution({ text: 'Créée par la mairie', ...VILLEURBANNE });
      const r2 = await commune.send(commune.buildRequest([own]));
      assert.equal(r2.status, 403);
      const officer = await phone(ACCOUNTS.officer);
      assert.equal((await officer.api(`/api/v1/contributions/${own}`)).status, 404, 'nothing stored');
      assert.deepEqual((await vol.api(`/api/v1/contributions/${id}`)).body, stored.body, 'the server copy is unchanged');
    });

    it('replaying the very same request is harmless: same heads, no duplicate', async () => {
      const vol = await phone(ACCOUNTS.volunteer);
      await vol.sync();
      const count = async () => {
        const list = await vol.api('/api/v1/contributions?author=me&per_page=1');
        assert.equal(list.status, 200);
        return list.body.total;
      };
      const before = await count();

      const id = vol.createContribution({ text: 'Envoyée deux fois (réponse perdue) 📶', ...LYON3 });
      const request = vol.buildRequest([id]);
      const first = await vol.send(request);
      assert.equal(first.status, 200);
      assert.equal(first.body.documents[0].status, 'ok');
      assert.equal(await count(), before + 1);
      // The reply is lost; the phone sends the very same body again.
      const second = await vol.send(request);
      assert.equal(second.status, 200);
      assert.equal(second.body.documents[0].status, 'ok', second.body.documents[0].reason);
      assert.deepEqual([...second.body.documents[0].heads].sort(), [...first.body.documents[0].heads].sort());
      assert.equal(await count(), before + 1, 'no duplicate');
      vol.apply(request, second.body);
      assert.ok(sameHeads(Automerge.getHeads(vol.doc(id)), second.body.documents[0].heads));
      assert.equal(str(vol.doc(id).geo.arrondissement), '69383');

      // Same for an edit whose reply is lost.
      vol.change(id, (d) => Automerge.splice(d, ['text'], 0, 0, '[bis] '));
      const edit = vol.buildRequest([id]);
      const e1 = await vol.send(edit);
      const e2 = await vol.send(edit);
      assert.equal(e1.body.documents[0].status, 'ok');
      assert.equal(e2.body.documents[0].status, 'ok');
      assert.ok(sameHeads(e1.body.documents[0].heads, e2.body.documents[0].heads));
      assert.ok(sameHeads(e2.body.documents[0].heads, Automerge.getHeads(vol.doc(id))), 'nothing was added by the server');
      assert.equal(await count(), before + 1);
      assert.equal((await vol.api(`/api/v1/contributions/${id}`)).body.text, '[bis] Envoyée deux fois (réponse perdue) 📶');
    });
  });

  describe('recovery and limits, from JS', () => {
    it('`unknown` tells the phone to send the whole document, and the whole document then goes through', async () => {
      const vol = await phone(ACCOUNTS.volunteer);
      const id = vol.createContribution({ text: 'Le serveur a perdu le fil ?', ...VILLEURBANNE });

      // Heads only, for a document the server never saw.
      const bare = await vol.send({ protocol: 1, cursor: null, documents: [{ id, type: 'contribution', heads: Automerge.getHeads(vol.doc(id)) }] });
      assert.equal(bare.status, 200);
      assert.equal(bare.body.documents[0].status, 'unknown', bare.body.documents[0].reason);

      // Changes built on history the server lacks (the phone wrongly thinks
      // the creation was acknowledged).
      vol.entry(id).lastServerHeads = Automerge.getHeads(vol.doc(id));
      vol.change(id, (d) => Automerge.splice(d, ['text'], 0, 0, 'Alors : '));
      const partial = resultFor((await vol.sync([id])).reply, id);
      assert.equal(partial.status, 'unknown', partial.reason);
      assert.equal((await vol.api(`/api/v1/contributions/${id}`)).status, 404, 'nothing stored');

      // The phone resends everything: saveSince(doc, []).
      vol.entry(id).lastServerHeads = [];
      const whole = resultFor((await vol.sync([id])).reply, id);
      assert.equal(whole.status, 'ok', whole.reason);
      assert.ok(sameHeads(Automerge.getHeads(vol.doc(id)), whole.heads));
      assert.equal((await vol.api(`/api/v1/contributions/${id}`)).body.text, 'Alors : Le serveur a perdu le fil ?');
    });

    it('the 5,000-character limit counts characters, not UTF-16 units: 5,000 emoji pass, 5,001 are invalid', async () => {
      const vol = await phone(ACCOUNTS.volunteer);
      const full = '🍂'.repeat(5000);
      assert.equal(full.length, 10_000, 'JS sees 10,000 UTF-16 units');
      const id = vol.createContribution({ text: full, ...VILLEURBANNE });
      const ok = resultFor((await vol.sync([id])).reply, id);
      assert.equal(ok.status, 'ok', ok.reason);
      assert.equal((await vol.api(`/api/v1/contributions/${id}`)).body.text, full);

      const heads = vol.entry(id).lastServerHeads;
      vol.change(id, (d) => Automerge.splice(d, ['text'], 5000, 0, '🌰'));
      const over = resultFor((await vol.sync([id])).reply, id);
      assert.equal(over.status, 'invalid', `${over.status} ${over.reason ?? ''}`);
      assert.match(over.reason ?? '', /text/);
      assert.ok(!over.reason.includes('🍂'), 'the reason never quotes the content');
      const copy = await (await phone(ACCOUNTS.officer)).fetchServerCopy(id, 'contribution');
      assert.ok(sameHeads(copy.heads, heads), 'nothing stored');

      const empty = vol.createContribution({ text: '   ', ...VILLEURBANNE });
      const r = resultFor((await vol.sync([empty])).reply, empty);
      assert.equal(r.status, 'invalid', `${r.status} ${r.reason ?? ''}`);
    });

    it('one refused document does not fail the batch, and a request without a token is 401', async () => {
      const vol = await phone(ACCOUNTS.volunteer);
      const good = vol.createContribution({ text: 'Celle-ci est correcte.', ...LYON3 });
      const bad = vol.createContribution({ text: 'Celle-ci a un thème invalide.', ...LYON3, themes: ['Pas Un Code'] });
      const { reply } = await vol.sync([good, bad]);
      assert.deepEqual(reply.documents.map((d) => d.id), [good, bad], 'one result per document, same order');
      assert.equal(reply.documents[0].status, 'ok', reply.documents[0].reason);
      assert.equal(reply.documents[1].status, 'invalid', reply.documents[1].reason);
      assert.equal((await vol.api(`/api/v1/contributions/${good}`)).status, 200);
      assert.equal((await vol.api(`/api/v1/contributions/${bad}`)).status, 404);

      const anon = await fetch(`${server.url}/api/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(vol.buildRequest([good])),
      });
      assert.equal(anon.status, 401);
      assert.equal((await anon.json()).error.code, 'unauthorized');
      const v2 = await vol.send({ ...vol.buildRequest([good]), protocol: 2 });
      assert.equal(v2.status, 400);
      assert.equal(v2.body.error.code, 'unsupported_protocol');
    });
  });

  it('text positions: edits next to emoji made in JS (UTF-16) read the same on the server (code points)', async () => {
    const vol = await phone(ACCOUNTS.volunteer);
    const officer = await phone(ACCOUNTS.officer);
    await officer.sync();
    const original = 'Avant 🍂 après 👩‍👩‍👧 fin';
    const id = vol.createContribution({ text: original, ...VILLEURBANNE });
    assert.equal(resultFor((await vol.sync([id])).reply, id).status, 'ok');
    const text = async () => (await vol.api(`/api/v1/contributions/${id}`)).body.text;
    assert.equal(await text(), original);

    // Insert right after the first emoji: index 8 in UTF-16, 7 in code points.
    const afterLeaf = original.indexOf('🍂') + '🍂'.length;
    vol.change(id, (d) => Automerge.splice(d, ['text'], afterLeaf, 0, ' et 🎃'));
    // Replace the word after the family emoji (a ZWJ sequence of 5 code points, 8 UTF-16 units).
    vol.change(id, (d) => {
      const at = d.text.indexOf(' fin');
      Automerge.splice(d, ['text'], at, 4, ' ensuite, é\u0301 😀');
    });
    const expected = 'Avant 🍂 et 🎃 après 👩‍👩‍👧 ensuite, é\u0301 😀';
    assert.equal(vol.doc(id).text, expected);
    assert.equal(resultFor((await vol.sync([id])).reply, id).status, 'ok');
    assert.equal(await text(), expected);

    // Concurrent splices after emoji, by the volunteer and the officer.
    await officer.sync();
    assert.equal(officer.doc(id).text, expected);
    officer.change(id, (d) => Automerge.splice(d, ['text'], d.text.indexOf('🎃') + 2, 0, '!'));
    vol.change(id, (d) => Automerge.splice(d, ['text'], d.text.indexOf('😀'), 2, '🙂'));
    assert.equal(resultFor((await officer.sync([id])).reply, id).status, 'ok');
    assert.equal(resultFor((await vol.sync([id])).reply, id).status, 'ok');
    assert.equal(resultFor((await officer.sync([id])).reply, id).status, 'ok');
    const merged = 'Avant 🍂 et 🎃! après 👩‍👩‍👧 ensuite, é\u0301 🙂';
    assert.equal(vol.doc(id).text, merged);
    assert.equal(officer.doc(id).text, merged);
    assert.equal(await text(), merged);
    assert.equal([...(await text())].length, [...merged].length, 'same number of code points');
  });
});
