//! The demo's French sentences: per subject (a resident's concern, with its
//! theme) and kind, a few wordings, combined with an opener, a place and a
//! closer. Also used by the labelled set of the similarity evaluation
//! (`consolidation::similar::labelled`), which derives near-duplicates and
//! paraphrases from the same parts.

use porte_voix_shared::Theme;

/// One concern residents raise, in several wordings per kind.
pub struct Subject {
    /// The topic (« sujet ») the officer would make of it.
    pub title: &'static str,
    pub theme: Theme,
    /// A second theme often given with it.
    pub also: Option<Theme>,
    pub concern: &'static [&'static str],
    pub expectation: &'static [&'static str],
    pub proposal: &'static [&'static str],
}

impl Subject {
    /// The wordings of one kind (`concern`, `expectation`, `proposal`).
    pub fn wordings(&self, kind: &str) -> &'static [&'static str] {
        match kind {
            "concern" => self.concern,
            "expectation" => self.expectation,
            _ => self.proposal,
        }
    }
}

pub const KINDS: [&str; 3] = ["concern", "expectation", "proposal"];

pub const SUBJECTS: &[Subject] = &[
    Subject {
        title: "Propreté : poubelles et encombrants",
        theme: Theme::Cleanliness,
        also: None,
        concern: &[
            "Les poubelles débordent tous les week-ends et les sacs s'entassent sur le trottoir",
            "Il y a des dépôts sauvages d'encombrants qui restent des semaines",
            "Les rats sortent des containers à ordures le soir",
        ],
        expectation: &[
            "On attend un ramassage plus fréquent des ordures",
            "Nous voulons que les encombrants soient enlevés plus vite",
        ],
        proposal: &[
            "Installer des composteurs partagés et plus de containers de tri",
            "Organiser une collecte des encombrants chaque mois",
        ],
    },
    Subject {
        title: "Trottoirs abîmés ou encombrés",
        theme: Theme::Mobility,
        also: Some(Theme::UrbanDevelopment),
        concern: &[
            "Le trottoir est défoncé et les poussettes doivent passer sur la chaussée",
            "Les trottoirs sont encombrés de trottinettes et de voitures garées",
            "Impossible de passer en fauteuil roulant, le trottoir est trop étroit",
        ],
        expectation: &[
            "Des trottoirs refaits et accessibles aux personnes à mobilité réduite",
            "On voudrait que le stationnement sur les trottoirs soit verbalisé",
        ],
        proposal: &[
            "Élargir le trottoir et poser des potelets contre le stationnement",
            "Abaisser les bordures des trottoirs aux passages piétons",
        ],
    },
    Subject {
        title: "Fréquence et confort des bus",
        theme: Theme::Mobility,
        also: None,
        concern: &[
            "Le bus passe trop rarement le soir et on attend quarante minutes",
            "Les bus sont bondés le matin et ne s'arrêtent pas toujours",
            "La ligne de bus a été supprimée et les personnes âgées sont isolées",
        ],
        expectation: &[
            "On attend un bus plus fréquent le soir et le dimanche",
            "Un abri à l'arrêt de bus, on attend sous la pluie",
        ],
        proposal: &[
            "Ajouter une navette de quartier jusqu'au métro",
            "Prolonger la ligne de bus jusqu'à la zone d'activités",
        ],
    },
    Subject {
        title: "Vitesse des voitures et carrefours dangereux",
        theme: Theme::Safety,
        also: Some(Theme::Mobility),
        concern: &[
            "Les voitures roulent trop vite et les enfants traversent sans passage protégé",
            "Le carrefour est dangereux, il y a eu plusieurs accidents cette année",
            "Des scooters font du rodéo tous les soirs dans la rue",
        ],
        expectation: &[
            "Des ralentisseurs et un radar pour faire baisser la vitesse",
            "Un passage piéton surveillé à l'heure de la sortie des classes",
        ],
        proposal: &[
            "Passer la rue en zone trente et installer des ralentisseurs",
            "Mettre un feu tricolore au carrefour",
        ],
    },
    Subject {
        title: "Éclairage et sentiment d'insécurité le soir",
        theme: Theme::Safety,
        also: None,
        concern: &[
            "L'éclairage public est en panne et on ne se sent pas en sécurité le soir",
            "Il y a du trafic dans la cage d'escalier et les habitants ont peur",
            "Les femmes évitent de passer par le parking la nuit",
        ],
        expectation: &[
            "Plus de présence de médiateurs et de policiers le soir",
            "Que l'éclairage soit réparé rapidement quand il tombe en panne",
        ],
        proposal: &[
            "Réparer l'éclairage et en installer le long du chemin piéton",
            "Créer une équipe de médiation de nuit dans le quartier",
        ],
    },
    Subject {
        title: "Bruit la nuit",
        theme: Theme::Health,
        also: Some(Theme::Cleanliness),
        concern: &[
            "Le bruit des bars la nuit empêche les habitants de dormir",
            "Les livraisons commencent à cinq heures du matin avec un bruit terrible",
            "Le bruit du périphérique est insupportable fenêtres ouvertes",
        ],
        expectation: &[
            "Que les horaires de fermeture des bars soient respectés",
            "Un mur antibruit le long de la voie rapide",
        ],
        proposal: &[
            "Mesurer le bruit la nuit et limiter les terrasses après minuit",
            "Interdire les livraisons avant sept heures",
        ],
    },
    Subject {
        title: "Logements dégradés et charges",
        theme: Theme::Housing,
        also: Some(Theme::Social),
        concern: &[
            "Les charges ont beaucoup augmenté et le chauffage tombe en panne chaque hiver",
            "Il y a de l'humidité et des moisissures dans les logements",
            "L'ascenseur est en panne depuis des semaines au huitième étage",
        ],
        expectation: &[
            "Des logements sociaux plus nombreux pour les familles",
            "Que le bailleur réponde quand on signale une panne",
        ],
        proposal: &[
            "Rénover l'isolation des immeubles anciens",
            "Créer une permanence du bailleur au pied des immeubles",
        ],
    },
    Subject {
        title: "Écoles et cantines saturées",
        theme: Theme::Education,
        also: None,
        concern: &[
            "La cantine de l'école est saturée et les enfants mangent trop vite",
            "Les classes sont surchargées et l'école manque de remplaçants",
            "La cour de l'école est en béton et il y fait très chaud",
        ],
        expectation: &[
            "Plus d'activités périscolaires gratuites pour les enfants",
            "Une école rénovée avec des classes moins chargées",
        ],
        proposal: &[
            "Ouvrir la cour d'école le week-end pour les familles",
            "Végétaliser la cour de l'école",
        ],
    },
    Subject {
        title: "Arbres, ombre et espaces verts",
        theme: Theme::Ecology,
        also: Some(Theme::UrbanDevelopment),
        concern: &[
            "Il fait trop chaud l'été, il n'y a aucune ombre ni aucun arbre",
            "Le parc est mal entretenu et les jeux pour enfants sont cassés",
            "On a coupé les arbres de la place sans prévenir",
        ],
        expectation: &[
            "Plus d'arbres et d'espaces verts dans les rues",
            "Un vrai parc de quartier pour les familles",
        ],
        proposal: &[
            "Planter des arbres et végétaliser les trottoirs",
            "Créer un jardin partagé sur le terrain vague",
        ],
    },
    Subject {
        title: "Inondations et eau",
        theme: Theme::Water,
        also: None,
        concern: &[
            "Les avaloirs sont bouchés et la rue est inondée à chaque orage",
            "La fontaine à eau du parc ne marche plus depuis l'été",
        ],
        expectation: &[
            "Nous voulons savoir si l'eau du robinet est contrôlée",
            "Que les avaloirs soient nettoyés avant l'automne",
        ],
        proposal: &[
            "Remettre en service la fontaine à eau potable",
            "Désimperméabiliser la place pour que l'eau s'infiltre",
        ],
    },
    Subject {
        title: "Accès aux médecins",
        theme: Theme::Health,
        also: None,
        concern: &[
            "Impossible de trouver un médecin traitant dans le quartier",
            "La pharmacie a fermé et les personnes âgées doivent prendre le bus",
        ],
        expectation: &[
            "Une maison de santé plus proche",
            "Plus de médecins qui acceptent de nouveaux patients",
        ],
        proposal: &[
            "Un bus santé qui passe une fois par mois",
            "Ouvrir un centre de santé municipal",
        ],
    },
    Subject {
        title: "Commerces de proximité",
        theme: Theme::Economy,
        also: None,
        concern: &[
            "Les commerces de proximité ferment les uns après les autres",
            "Il n'y a plus de boulangerie ni de distributeur de billets",
        ],
        expectation: &[
            "Des emplois pour les jeunes du quartier",
            "Garder des commerces de proximité au pied des immeubles",
        ],
        proposal: &[
            "Un marché de producteurs le samedi matin",
            "Des loyers réduits pour les commerces qui s'installent",
        ],
    },
    Subject {
        title: "Activités pour les jeunes",
        theme: Theme::Culture,
        also: Some(Theme::Social),
        concern: &[
            "Il n'y a plus rien pour les adolescents le soir",
            "La bibliothèque a réduit ses horaires d'ouverture",
        ],
        expectation: &[
            "Des spectacles accessibles aux familles",
            "Un lieu pour les jeunes ouvert le soir",
        ],
        proposal: &[
            "Une bibliothèque mobile dans le quartier",
            "Ouvrir la maison des jeunes le samedi soir",
        ],
    },
    Subject {
        title: "Isolement et démarches en ligne",
        theme: Theme::Social,
        also: None,
        concern: &[
            "Des personnes âgées restent seules sans aucune visite",
            "Les démarches en ligne sont impossibles pour beaucoup d'habitants",
        ],
        expectation: &[
            "Plus d'accompagnement pour les démarches administratives en ligne",
            "Un accueil au centre social le samedi",
        ],
        proposal: &[
            "Ouvrir une permanence d'écrivain public",
            "Organiser des visites de voisinage pour les personnes isolées",
        ],
    },
    Subject {
        title: "Chantiers et concertation",
        theme: Theme::UrbanDevelopment,
        also: None,
        concern: &[
            "Le chantier dure depuis deux ans sans aucune information",
            "Les nouveaux immeubles cachent le soleil et personne n'a été consulté",
        ],
        expectation: &[
            "Être consultés avant les nouveaux projets d'aménagement",
            "Un calendrier clair des travaux",
        ],
        proposal: &[
            "Garder un espace vert dans le futur aménagement",
            "Afficher le planning du chantier à l'entrée",
        ],
    },
    Subject {
        title: "Suivi des remarques des habitants",
        theme: Theme::LocalDemocracy,
        also: None,
        concern: &[
            "On ne sait jamais ce que deviennent nos remarques",
            "Les réunions publiques ont lieu quand les gens travaillent",
        ],
        expectation: &[
            "Être informés des réunions publiques",
            "Des réponses de la Métropole à nos demandes",
        ],
        proposal: &[
            "Un conseil de quartier ouvert aux jeunes",
            "Des réunions publiques le soir ou le samedi",
        ],
    },
];

pub const PLACES: &[&str] = &[
    "près du marché",
    "à l'arrêt de bus",
    "devant l'école primaire",
    "dans notre rue",
    "au pied des immeubles",
    "vers la place de l'église",
    "le long de l'avenue",
    "autour de la gare",
    "près du centre social",
    "à côté du parc",
    "rue de la République",
    "avenue Jean-Jaurès",
    "cours Émile-Zola",
    "place du 8-Mai-1945",
    "rue Paul-Bert",
    "boulevard des États-Unis",
    "chemin des Vignes",
    "près de la médiathèque",
    "derrière le gymnase",
    "devant la résidence des Tilleuls",
    "à la sortie du métro",
    "près du collège",
    "sur le parking du supermarché",
    "rue Victor-Hugo",
];

pub const OPENERS: &[&str] = &[
    "",
    "",
    "",
    "Depuis des mois, ",
    "Franchement, ",
    "Comme beaucoup de voisins, je trouve que ",
    "Je voudrais signaler que ",
    "Ma voisine me dit que ",
];

pub const CLOSERS: &[&str] = &[
    "",
    "",
    "",
    " Personne ne répond à nos signalements.",
    " Beaucoup de voisins le disent aussi.",
    " Merci de faire remonter.",
    " Ça dure depuis l'été.",
    " C'est surtout difficile pour les enfants.",
];

/// Word substitutions a resident could use for the same idea (used to make
/// paraphrases in the labelled set).
pub const SYNONYMS: &[(&str, &str)] = &[
    ("poubelles", "bacs à ordures"),
    ("débordent", "sont pleines"),
    ("trottoir", "passage piéton"),
    ("trottoirs", "allées piétonnes"),
    ("défoncé", "plein de trous"),
    ("bus", "car de la ligne"),
    ("rarement", "peu souvent"),
    ("voitures", "automobilistes"),
    ("vite", "rapidement"),
    ("dangereux", "risqué"),
    ("éclairage", "lampadaire"),
    ("bruit", "vacarme"),
    ("dormir", "trouver le sommeil"),
    ("chauffage", "radiateur"),
    ("logements", "appartements"),
    ("cantine", "restauration scolaire"),
    ("école", "groupe scolaire"),
    ("arbres", "plantations"),
    ("chaud", "étouffant"),
    ("parc", "square"),
    ("médecin", "généraliste"),
    ("commerces", "boutiques"),
    ("adolescents", "jeunes"),
    ("chantier", "travaux"),
    ("enfants", "petits"),
    ("habitants", "résidents"),
    ("soir", "nuit tombée"),
];

/// The parts of one generated text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    pub subject: usize,
    pub kind: &'static str,
    pub wording: usize,
    pub opener: usize,
    pub place: usize,
    pub closer: usize,
}

impl Phrase {
    /// A random phrase of `subject` and `kind`; `pick(n)` draws below n.
    pub fn random(
        subject: usize,
        kind: &'static str,
        pick: &mut dyn FnMut(usize) -> usize,
    ) -> Self {
        let wordings = SUBJECTS[subject].wordings(kind).len();
        Phrase {
            subject,
            kind,
            wording: pick(wordings),
            opener: pick(OPENERS.len()),
            place: pick(PLACES.len()),
            closer: pick(CLOSERS.len()),
        }
    }

    pub fn sentence(&self) -> &'static str {
        SUBJECTS[self.subject].wordings(self.kind)[self.wording]
    }

    /// The text a volunteer types.
    pub fn text(&self) -> String {
        let opener = OPENERS[self.opener];
        let sentence = if opener.is_empty() {
            self.sentence().to_owned()
        } else {
            lower_first(self.sentence())
        };
        format!(
            "{opener}{sentence} {}.{}",
            PLACES[self.place], CLOSERS[self.closer]
        )
    }
}

/// `s` with its first letter lowercased (after an opener).
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subject_has_every_kind_and_texts_end_with_a_full_stop() {
        for (i, s) in SUBJECTS.iter().enumerate() {
            for kind in KINDS {
                assert!(!s.wordings(kind).is_empty(), "subject {i} lacks {kind}");
                let mut n = 0;
                let p = Phrase::random(i, kind, &mut |len| {
                    n += 1;
                    n % len
                });
                let t = p.text();
                assert!(t.contains(PLACES[p.place]), "{t}");
                assert!(t.trim_end().ends_with('.'), "{t}");
            }
        }
    }
}
