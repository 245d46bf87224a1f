/** Registers the French tables (a side-effect module: the ESM entries and stepgate-fr.min.js import it). */
import { fr, frEnroll } from './fr.js';
import { addMessages } from './registry.js';

addMessages('fr', { challenge: fr, enroll: frEnroll });
