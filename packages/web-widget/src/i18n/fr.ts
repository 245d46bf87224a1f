import type { ChallengeMessages, EnrollMessages } from './messages.js';

const methods = {
  totp: 'Application d’authentification',
  email_otp: 'Code par e-mail',
  sms_otp: 'Code par SMS',
  webauthn: 'Clé de sécurité ou clé d’accès',
  biometric: 'Empreinte ou visage',
} as const;

/** French strings of `<step-up-challenge>`. */
export const fr: ChallengeMessages = {
  title: 'Confirmez votre identité',
  intro: 'Cette action demande une vérification de plus.',
  loading: 'Chargement…',
  confirming: 'Vous confirmez',
  action: 'Action',
  fields: {
    userId: 'Utilisateur',
    amount: 'Montant',
    currency: 'Devise',
    payee: 'Bénéficiaire',
    role: 'Rôle',
    user: 'Utilisateur',
  },
  chooseMethod: 'Choisissez comment confirmer',
  methods,
  totpLabel: 'Code de votre application d’authentification',
  codeLabel: 'Code',
  codeSentTo: (d) => `Nous avons envoyé un code à ${d}.`,
  send: 'Envoyer le code',
  resend: 'Envoyer un nouveau code',
  resendIn: (s) => `Nouveau code dans ${s} s`,
  verify: 'Confirmer',
  verifying: 'Vérification…',
  sending: 'Envoi du code…',
  cancel: 'Annuler',
  close: 'Fermer',
  tryAgain: 'Réessayer',
  useAnother: 'Utiliser une autre méthode',
  continueWith: (provider) => `Continuer avec ${provider}`,
  rememberDevice: 'Se souvenir de cet appareil',
  webauthnPrompt: 'Utilisez votre clé de sécurité ou votre clé d’accès.',
  biometricPrompt: 'Utilisez votre empreinte, votre visage ou le verrouillage de l’écran.',
  webauthnCancelled: 'La vérification a été annulée ou a expiré.',
  webauthnUnavailable: 'Cet appareil ne peut pas faire cette vérification.',
  failed: (n) =>
    n > 0
      ? `Cela n’a pas fonctionné. ${n} essai${n === 1 ? '' : 's'} restant${n === 1 ? '' : 's'}.`
      : 'Cela n’a pas fonctionné.',
  expiresIn: (t) => `Expire dans ${t}`,
  expired: 'Cette demande a expiré. Recommencez.',
  locked: 'Trop d’essais. Recommencez.',
  methodLocked: 'Bloquée après trop d’essais.',
  methodWaiting: (t) => `Trop d’essais. Réessayez après ${t}.`,
  allLocked:
    'Aucun moyen de confirmer n’est disponible pour le moment. Réessayez plus tard ou contactez le support.',
  network: 'Le service est injoignable. Réessayez.',
  verified: 'Confirmé.',
};

/** French strings of `<step-up-enroll>`. */
export const frEnroll: EnrollMessages = {
  title: 'Méthodes de connexion',
  loading: 'Chargement…',
  greeting: (n) => `Connecté en tant que ${n}`,
  factors: 'Vos méthodes',
  noFactors: 'Aucune méthode pour l’instant.',
  methods,
  addTotp: 'Ajouter une application d’authentification',
  addPasskey: 'Ajouter une clé d’accès',
  scanQr: 'Scannez ce code avec votre application, ou saisissez la clé à la main.',
  qrAlt: 'QR code pour votre application d’authentification',
  secretLabel: 'Clé',
  confirmCode: 'Code de l’application',
  confirm: 'Confirmer',
  cancel: 'Annuler',
  passkeyName: 'Nom de la clé d’accès',
  createPasskey: 'Créer la clé d’accès',
  added: (l) => `${l} ajouté.`,
  failed: 'Cela n’a pas fonctionné. Réessayez.',
  passkeyCancelled: 'La clé d’accès n’a pas été créée.',
  network: 'Le service est injoignable. Réessayez.',
  expired: 'Ce lien a expiré. Recommencez.',
};
