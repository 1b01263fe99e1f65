import { fr } from '../i18n/fr';
import { h } from './dom';

/** Reserved for the officer / commune console (a later issue). */
export function consoleView(root: HTMLElement): void {
  root.append(h('h1', {}, fr.console.title), h('p', {}, fr.console.placeholder));
}
