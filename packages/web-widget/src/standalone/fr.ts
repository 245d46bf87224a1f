/**
 * French for the standalone bundles (dist/standalone/stepgate-fr.min.js): load it beside
 * step-up-challenge.min.js or step-up-enroll.min.js, then `lang="fr"` works.
 */
import '../i18n/add-fr.js';
