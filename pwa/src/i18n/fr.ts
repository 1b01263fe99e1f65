// Every French string of the field app. A second language is a copy of this
// file with the same keys, never a hunt through the views.

export const fr = {
  appName: 'Porte-voix',
  /** Manifest and <meta name="description"> (injected at build: vite.config.ts). */
  appDescription: 'Recueillir la parole des habitants, même sans réseau',
  skipToContent: 'Aller au contenu',
  loading: 'Chargement…',

  net: {
    online: 'En ligne',
    offline: 'Hors ligne',
    unsent: (n: number) => `${n} à envoyer`,
  },

  nav: {
    label: 'Navigation principale',
    home: 'Accueil',
    mine: 'Mes contributions',
    outing: 'Tournée',
    settings: 'Réglages',
  },

  login: {
    title: 'Connexion',
    intro: 'Connectez-vous une fois avec le réseau : ensuite l’application marche sans réseau pendant des jours.',
    email: 'Adresse e-mail',
    password: 'Mot de passe',
    submit: 'Se connecter',
    busy: 'Connexion…',
    invalid: 'Adresse e-mail ou mot de passe incorrect.',
    offline: 'Pas de réseau : la première connexion a besoin d’Internet.',
    failed: 'La connexion a échoué. Réessayez.',
    disabled: 'Ce compte a été désactivé. Adressez-vous à la chargée ou au chargé de participation.',
    rateLimited: 'Trop d’essais : attendez quelques minutes avant de réessayer.',
    otherAccountPending:
      'Ce téléphone garde des données non envoyées d’un autre compte. Reconnectez-vous avec ce compte pour les envoyer, ou exportez une sauvegarde.',
    reloginTitle: 'Reconnexion pour synchroniser',
  },

  home: {
    title: 'Accueil',
    campaign: 'Démarche',
    noCampaign: 'Aucune démarche en cours',
    outing: 'Tournée',
    noOuting: 'Aucune tournée',
    newContribution: 'Nouvelle contribution',
    counters: 'Compteurs',
    onPhone: 'Sur le téléphone',
    received: 'Reçues par le serveur',
    refused: 'Refusées',
    lastSync: 'Dernière synchronisation',
    never: 'jamais',
    sync: 'Synchroniser',
    hello: (name: string) => `Bonjour ${name}`,
  },

  sync: {
    idle: 'À jour',
    running: 'Synchronisation en cours…',
    progress: (n: number) => `Synchronisation en cours… ${n} document(s) envoyé(s)`,
    done: (sent: number, updates: number) =>
      `Synchronisation terminée : ${sent} document(s) envoyé(s), ${updates} mise(s) à jour reçue(s).`,
    offline: 'Pas de réseau : tout reste enregistré sur le téléphone. Envoi automatique au retour du réseau.',
    failed: 'La synchronisation a échoué. Nouvel essai automatique.',
    retryIn: (s: number) => `Nouvel essai dans ${s} s.`,
    needLogin: 'Session expirée : reconnectez-vous pour synchroniser. Vous pouvez continuer à travailler.',
    refusedSome: (n: number) => `${n} document(s) refusé(s) par le serveur.`,
    relogin: 'Se reconnecter',
    disabled:
      'Votre compte a été désactivé. Vos contributions non envoyées restent sur ce téléphone ; vous pouvez les exporter depuis les réglages.',
    toSettings: 'Exporter mes contributions',
  },

  kinds: {
    legend: 'Type',
    concern: 'Préoccupation',
    expectation: 'Attente',
    proposal: 'Proposition',
  },

  themes: {
    legend: 'Thèmes',
    cleanliness: 'Propreté',
    water: 'Eau et assainissement',
    mobility: 'Voirie et mobilités',
    social: 'Action sociale',
    housing: 'Logement',
    urban_development: 'Développement urbain',
    economy: 'Développement économique',
    education: 'Éducation',
    culture: 'Culture',
    ecology: 'Transition écologique',
    health: 'Santé',
    safety: 'Sécurité et tranquillité',
    local_democracy: 'Vie locale et démocratie',
  } as Record<string, string>,

  form: {
    newTitle: 'Nouvelle contribution',
    editTitle: 'Modifier la contribution',
    text: 'Contribution',
    textHint: 'Les mots de la personne. Vous pouvez dicter avec le micro du clavier.',
    location: 'Lieu',
    gpsWaiting: 'Recherche de la position GPS…',
    gpsAccuracy: (m: number) => `Position GPS à ${m} m près`,
    gpsPoor: (m: number) => `Position GPS imprécise (${m} m) : choisissez la commune ou touchez la carte.`,
    gpsOff: 'GPS indisponible : choisissez la commune ou touchez la carte.',
    gpsRetry: 'Reprendre le GPS',
    mapSource: 'Point choisi sur la carte',
    communeSource: 'Commune choisie dans la liste',
    map: 'Carte des communes : touchez le lieu',
    showMap: 'Choisir sur la carte',
    hideMap: 'Masquer la carte',
    commune: 'Commune',
    chooseCommune: '— Choisir la commune —',
    nearBorder: 'près d’une limite',
    nearBorderHelp: 'Près d’une limite : confirmez la commune dans la liste.',
    outside: 'Hors du territoire',
    noLocation: 'Lieu non renseigné',
    respondent: 'Profil de la personne (facultatif)',
    age: 'Âge',
    gender: 'Genre',
    relation: 'Lien avec le lieu',
    district: 'Type de quartier',
    unset: '—',
    contactSection: 'Coordonnées (facultatif)',
    consent: 'La personne accepte d’être recontactée et donne ses coordonnées',
    contactName: 'Nom',
    contactPhone: 'Téléphone',
    contactEmail: 'E-mail',
    contactNote: 'Envoyées à la prochaine synchronisation, puis effacées du téléphone.',
    save: 'Enregistrer',
    cancel: 'Annuler',
    saved: 'Contribution enregistrée sur le téléphone.',
    updated: 'Modification enregistrée sur le téléphone.',
    textRequired: 'Écrivez la contribution.',
    textTooLong: 'Texte trop long (5 000 caractères au plus).',
    kindRequired: 'Choisissez un type.',
  },

  respondent: {
    age: {
      under_18: 'Moins de 18 ans',
      '18_29': '18 à 29 ans',
      '30_44': '30 à 44 ans',
      '45_59': '45 à 59 ans',
      '60_74': '60 à 74 ans',
      '75_plus': '75 ans et plus',
    } as Record<string, string>,
    gender: { woman: 'Femme', man: 'Homme', other: 'Autre', undisclosed: 'Ne souhaite pas répondre' } as Record<
      string,
      string
    >,
    relation: {
      resident: 'Habitant·e',
      worker: 'Travaille ici',
      association: 'Association',
      business: 'Commerce / entreprise',
    } as Record<string, string>,
    district: {
      priority: 'Quartier prioritaire',
      urban: 'Urbain',
      suburban: 'Périurbain',
      rural: 'Rural',
    } as Record<string, string>,
  },

  mine: {
    title: 'Mes contributions',
    empty: 'Aucune contribution pour l’instant.',
    edit: 'Modifier',
    stateOnPhone: 'sur le téléphone',
    stateReceived: 'reçue',
    stateRefused: 'refusée',
    refusedReason: (r: string) => `refusée : ${r}`,
    review: 'Traitement',
    answer: (to: string) => `Réponse de ${to} :`,
  },

  review: {
    new: 'nouvelle',
    qualified: 'qualifiée',
    forwarded: 'transmise',
    answered: 'réponse apportée',
    closed: 'close',
    duplicate: 'doublon',
    off_topic: 'hors sujet',
  } as Record<string, string>,

  outing: {
    title: 'Tournée',
    none: 'Aucune tournée : elle arrive à la première synchronisation, ou créez-en une.',
    choose: 'Tournée affichée',
    create: 'Créer une tournée',
    place: 'Lieu de la tournée',
    date: 'Date',
    createSubmit: 'Créer la tournée',
    doorsKnocked: 'Portes frappées',
    conversations: 'Conversations',
    contributions: 'Contributions (ce téléphone)',
    addDoor: 'Ajouter une porte',
    address: 'Porte ou adresse',
    addDoorSubmit: 'Ajouter',
    doors: 'Portes',
    noDoors: 'Aucune porte pour l’instant.',
    note: 'Note',
    saveNote: 'Enregistrer la note',
    status: 'État',
    by: (name: string) => `par ${name}`,
  },

  doorStatus: {
    visite: 'Visite',
    absent: 'Absent',
    refus: 'Refus',
    a_revoir: 'À revoir',
  } as Record<string, string>,

  settings: {
    title: 'Réglages et sauvegarde',
    account: 'Compte',
    storage: 'Stockage sur le téléphone',
    persisted: 'Stockage protégé : le navigateur ne l’effacera pas de lui-même.',
    notPersisted:
      'Le navigateur a refusé le stockage protégé : il pourrait effacer les données s’il manque de place. Synchronisez souvent et exportez une sauvegarde.',
    unknownPersist: 'Ce navigateur ne dit pas si le stockage est protégé.',
    export: 'Exporter une sauvegarde',
    exportFileName: (d: Date) => `porte-voix-sauvegarde-${d.toISOString().slice(0, 16).replace(':', 'h')}.json`,
    exportDone: (n: number) => `Sauvegarde exportée : ${n} document(s).`,
    import: 'Importer une sauvegarde',
    importDone: (added: number, merged: number) =>
      `Sauvegarde importée : ${added} nouveau(x) document(s), ${merged} fusionné(s).`,
    importFailed: 'Ce fichier n’est pas une sauvegarde Porte-voix.',
    logout: 'Se déconnecter',
    logoutConfirmUnsent: (n: number) =>
      `${n} élément(s) ne sont pas encore reçus par le serveur. Si vous vous déconnectez, ils seront effacés de ce téléphone. Exportez d’abord une sauvegarde. Se déconnecter quand même ?`,
    logoutConfirm: 'Se déconnecter et effacer les données de ce téléphone ?',
    version: 'Version',
  },

  // The console's own strings are in fr-console.ts (they travel in its lazily
  // loaded chunk); these two are shown before that chunk arrives.
  console: {
    title: 'Console',
    loadFailed: 'La console n’a pas pu se charger : vérifiez le réseau puis rechargez la page.',
  },

  time: (d: Date) =>
    d.toLocaleString('fr-FR', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
};

export type Catalogue = typeof fr;
