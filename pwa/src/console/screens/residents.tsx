// A resident's request (RGPD): what we hold with their contact details
// (droit d'accès), copied for the answer, then erased on request (droit à
// l'effacement). The query goes in a POST body, never in the URL.
import { useState } from 'preact/hooks';
import { frConsole as t } from '../../i18n/fr-console';
import type { ResidentRecord } from '../api';
import { errorMessage, kindLabel, placeLabel } from '../format';
import { announce, type ConsoleCtx, FormError, Link } from '../ui';

function summary(records: ResidentRecord[], names: Map<string, string>): string {
  return records
    .map((r) => {
      const c = r.contribution;
      const who = [r.contact.name, r.contact.phone, r.contact.email].filter(Boolean).join(' · ');
      const what = c ? `${kindLabel(c.kind)} — ${placeLabel(c, names)} — « ${c.text} »` : t.residents.unreadable;
      return `${t.date(r.contact.received_at)} : ${who}\n${what}`;
    })
    .join('\n\n');
}

export function ResidentsScreen({ ctx }: { ctx: ConsoleCtx }) {
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [records, setRecords] = useState<ResidentRecord[] | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);

  const search = async () => {
    setErr('');
    const q = { phone: phone.trim() || undefined, email: email.trim() || undefined, name: name.trim() || undefined };
    if (!q.phone && !q.email && !q.name) {
      setErr(t.residents.required);
      return;
    }
    setBusy(true);
    try {
      const r = await ctx.api.residentRecords(q);
      setRecords(r.records);
      announce(r.records.length ? t.residents.found(r.records.length) : t.residents.none);
    } catch (e) {
      setErr(errorMessage(e, t.errorSave));
    } finally {
      setBusy(false);
    }
  };

  const erase = async () => {
    if (!records?.length || !confirm(t.residents.confirm(records.length))) return;
    setBusy(true);
    try {
      const r = await ctx.api.eraseResident(records.map((x) => x.contact.contribution_id));
      announce(t.residents.erased(r.erased));
      setRecords([]);
    } catch (e) {
      setErr(errorMessage(e, t.errorSave));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="res-title">
      <h1 id="res-title">{t.residents.title}</h1>
      <p>{t.residents.intro}</p>
      <form
        class="c-card"
        aria-describedby={err ? 'res-error' : undefined}
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <div class="c-field">
          <label for="res-phone">{t.residents.phone}</label>
          <input id="res-phone" type="tel" autocomplete="off" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="res-email">{t.residents.email}</label>
          <input id="res-email" type="email" autocomplete="off" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </div>
        <div class="c-field">
          <label for="res-name">{t.residents.name}</label>
          <input id="res-name" autocomplete="off" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        {err && <FormError id="res-error" message={err} />}
        <button type="submit" class="primary" disabled={busy}>
          {t.residents.search}
        </button>
      </form>
      {records && (
        <div aria-live="polite">
          {records.length === 0 ? (
            <p class="state state-empty">{t.residents.none}</p>
          ) : (
            <>
              <p>{t.residents.found(records.length)}</p>
              <table class="c-table">
                <caption class="visually-hidden">{t.residents.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.residents.left}</th>
                    <th scope="col">{t.residents.name}</th>
                    <th scope="col">{t.residents.phone}</th>
                    <th scope="col">{t.residents.email}</th>
                    <th scope="col">{t.residents.text}</th>
                  </tr>
                </thead>
                <tbody>
                  {records.map((r) => (
                    <tr key={r.contact.contribution_id}>
                      <td>{t.date(r.contact.received_at)}</td>
                      <td>{r.contact.name ?? ''}</td>
                      <td>{r.contact.phone ?? ''}</td>
                      <td>{r.contact.email ?? ''}</td>
                      <td>
                        {r.contribution ? (
                          <Link href={`/console/contributions/${encodeURIComponent(r.contribution.id)}`}>{r.contribution.text}</Link>
                        ) : (
                          t.residents.unreadable
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                <button
                  type="button"
                  onClick={() => {
                    void navigator.clipboard?.writeText(summary(records, ctx.names)).then(() => announce(t.residents.copied));
                  }}
                >
                  {t.residents.copy}
                </button>{' '}
                <button type="button" class="danger" disabled={busy} onClick={() => void erase()}>
                  {t.residents.erase}
                </button>
              </p>
              <p class="hint">{t.residents.note}</p>
            </>
          )}
        </div>
      )}
    </section>
  );
}
