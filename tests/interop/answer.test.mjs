// The way back to the phone, through the real @automerge/automerge client:
// a volunteer's phone records and syncs a contribution, the officer
// forwards it to a recipient of the directory, the recipient answers with
// the link's token (no account), and at its next sync the phone's document
// holds the answer in `follow_up` (docs/CONSOLIDATION.md "Forwarding").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNTS, http, startServer } from './harness.mjs';
import { Automerge, Phone } from './phone.mjs';

const VILLEURBANNE = { lat: 45.7665, lon: 4.8795 };
const str = (v) => (v == null ? v : String(v));

let server;
const phone = (account, name) => new Phone(server.url, account, name).login();

/** A public answer-link call: the token in its header, never in the URL. */
async function answerCall(path, token, { method = 'GET', body } = {}) {
  const headers = { 'x-answer-token': token };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

before(async () => {
  // The access log (info) is what must never hold a token.
  process.env.RUST_LOG = 'info,automerge=warn';
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

describe('answer by link → phone', () => {
  it('an answer posted with the link reaches the author’s phone in follow_up', async () => {
    const vol = await phone(ACCOUNTS.volunteer);
    await vol.sync();
    const text = 'Les poubelles du marché débordent le samedi 🗑️';
    const id = vol.createContribution({ text, ...VILLEURBANNE, themes: ['cleanliness'] });
    const { reply } = await vol.sync([id]);
    assert.equal(reply.documents[0].status, 'ok');

    const officer = await phone(ACCOUNTS.officer);
    const recipient = await officer.api('/api/v1/recipients', {
      method: 'POST',
      body: { kind: 'elected_official', name: 'Mme Martin', function: 'Vice-présidente propreté' },
    });
    assert.equal(recipient.status, 201, JSON.stringify(recipient.body));
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const fwd = await officer.api(`/api/v1/contributions/${id}/forwards`, {
      method: 'POST',
      body: { recipient: recipient.body.id, message: 'Pouvez-vous répondre ?', due_on: due },
    });
    assert.equal(fwd.status, 201, JSON.stringify(fwd.body));
    assert.equal(fwd.body.outcomes[0].outcome, 'forwarded');
    const [page, token] = fwd.body.answer_url.split('#');
    assert.ok(page.endsWith('/console/repondre'), page);
    assert.equal(token.length, 43);

    // The phone hears of the forward first: its entry, no answer yet.
    await vol.sync([id]);
    assert.equal(str(vol.doc(id).follow_up[0].to), 'Mme Martin');
    assert.equal(vol.doc(id).follow_up[0].answer, null);
    assert.equal(str(vol.doc(id).review.status), 'forwarded');

    // The dossier, without an account: the text, no author.
    const dossier = await answerCall('/api/v1/answer/dossier', token);
    assert.equal(dossier.status, 200, dossier.text);
    assert.equal(dossier.body.quotes[0], text);
    assert.ok(!dossier.text.includes(vol.user.id), 'no author in the dossier');
    assert.ok(!dossier.text.includes(String(VILLEURBANNE.lat)), 'no exact point in the dossier');

    const answer = 'Une collecte supplémentaire est prévue le samedi après-midi.';
    const posted = await answerCall('/api/v1/answer', token, {
      method: 'POST',
      body: { text: answer, author_name: 'Mme Martin', author_role: 'Vice-présidente propreté' },
    });
    assert.equal(posted.status, 201, posted.text);

    // The next sync brings the answer into the phone's Automerge document.
    await vol.sync([id]);
    const doc = vol.doc(id);
    assert.equal(doc.follow_up.length, 1);
    assert.equal(str(doc.follow_up[0].answer), answer);
    assert.ok(!Number.isNaN(Date.parse(str(doc.follow_up[0].answered_at))));
    assert.equal(str(doc.review.status), 'answered');
    assert.equal(doc.text, text, 'the resident’s words are untouched');
    assert.ok(Automerge.getHeads(doc).length > 0);

    // Used once: a second answer is refused, the dossier still shows it.
    const again = await answerCall('/api/v1/answer', token, {
      method: 'POST',
      body: { text: 'Autre', author_name: 'X' },
    });
    assert.equal(again.status, 409);
    const after = await answerCall('/api/v1/answer/dossier', token);
    assert.equal(after.body.answer.text, answer);
    // Without the token, nothing.
    const none = await http(`${server.url}/api/v1/answer/dossier`);
    assert.equal(none.status, 404);

    // The server's log has the answer-link requests, and never the token,
    // the answer or the resident's words.
    const logs = server.logs();
    assert.ok(logs.includes('/api/v1/answer/dossier'), 'the access log is captured');
    assert.ok(!logs.includes(token), 'no token in the log');
    assert.ok(!logs.includes(answer) && !logs.includes('poubelles du marché'), 'no text in the log');
  });

  it('a topic made through the topics API, forwarded and answered: each member’s phone gets the answer', async () => {
    const vol = await phone(ACCOUNTS.volunteer);
    await vol.sync();
    const texts = ['Le square est sale le dimanche matin', 'Square sale, les bancs aussi 🪑'];
    const ids = texts.map((text) => vol.createContribution({ text, ...VILLEURBANNE, themes: ['cleanliness'] }));
    await vol.sync(ids);

    const officer = await phone(ACCOUNTS.officer);
    const topic = await officer.api('/api/v1/topics', {
      method: 'POST',
      body: { title: 'Propreté des squares', summary: 'Squares sales le week-end', themes: ['cleanliness'] },
    });
    assert.equal(topic.status, 201, JSON.stringify(topic.body));
    const topicId = topic.body.id;
    const attached = await officer.api(`/api/v1/topics/${topicId}/contributions`, {
      method: 'POST',
      body: { ids },
    });
    assert.equal(attached.status, 200, JSON.stringify(attached.body));
    const quote = await officer.api(`/api/v1/topics/${topicId}/quotes`, {
      method: 'POST',
      body: { contribution: ids[0], excerpt: 'sale le dimanche matin' },
    });
    assert.ok(quote.status < 300, JSON.stringify(quote.body));

    const recipient = await officer.api('/api/v1/recipients', {
      method: 'POST',
      body: { kind: 'service', name: 'Direction de la propreté' },
    });
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const fwd = await officer.api(`/api/v1/topics/${topicId}/forwards`, {
      method: 'POST',
      body: { recipient: recipient.body.id, message: 'Deux habitants en parlent.', due_on: due },
    });
    assert.equal(fwd.status, 201, JSON.stringify(fwd.body));
    assert.deepEqual(fwd.body.outcomes.map((o) => o.outcome), ['forwarded', 'forwarded']);
    const token = fwd.body.answer_url.split('#')[1];
    const shown = await officer.api(`/api/v1/topics/${topicId}`);
    assert.equal(shown.body.status, 'forwarded', JSON.stringify(shown.body));

    const dossier = await answerCall('/api/v1/answer/dossier', token);
    assert.equal(dossier.status, 200, dossier.text);
    assert.equal(dossier.body.title, 'Propreté des squares');
    assert.equal(dossier.body.figures.count, 2);
    assert.deepEqual(dossier.body.quotes, ['sale le dimanche matin']);
    assert.ok(!dossier.text.includes(vol.user.id));

    const answer = 'Un passage de nettoyage est ajouté le dimanche à 8 h.';
    const posted = await answerCall('/api/v1/answer', token, {
      method: 'POST',
      body: { text: answer, author_name: 'M. Bernard' },
    });
    assert.equal(posted.status, 201, posted.text);
    const answered = await officer.api(`/api/v1/topics/${topicId}`);
    assert.equal(answered.body.status, 'answered');

    await vol.sync(ids);
    for (const id of ids) {
      assert.equal(str(vol.doc(id).follow_up[0].answer), answer);
      assert.equal(str(vol.doc(id).follow_up[0].to), 'Direction de la propreté');
      assert.equal(str(vol.doc(id).review.status), 'answered');
    }
  });
});
