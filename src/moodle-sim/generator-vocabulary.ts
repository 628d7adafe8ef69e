/** Words the site generator draws from; international on purpose (non-ASCII names exercise \u escapes). */

export const FIRST_NAMES: readonly string[] = [
  'Alice', 'Bongani', 'Chloé', 'Dmitri', 'Esra', 'Farah', 'Gustavo', 'Hana', 'Ikaika', 'Jonas',
  'Kwame', 'Léa', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rania', 'Søren', 'Thandiwe',
  'Uma', 'Viktor', 'Wei', 'Ximena', 'Yusuf', 'Zoë', 'Amara', 'Björn', 'Carmen', 'Diego',
  'Elif', 'Finn', 'Grace', 'Hiroshi', 'Ingrid', 'José', 'Kiri', 'Lucía', 'Mei', 'Noah',
];

export const LAST_NAMES: readonly string[] = [
  'Martin', 'Dlamini', 'Nguyen', 'Okafor', 'Müller', 'García', 'Kowalski', 'Haddad', 'Tanaka', 'Smith',
  'Andersen', 'Rossi', 'Silva', 'Ivanova', 'Mensah', 'Dubois', 'Yılmaz', 'Khan', "O'Brien", 'Novak',
  'Fernández', 'Papadopoulos', 'Kim', 'Jansen', 'Moreau', 'Nakamura', 'Petrov', 'Santos', 'Zulu', 'Berg',
];

export const COUNTRIES: readonly string[] = ['GB', 'ZA', 'DE', 'FR', 'ES', 'NZ', 'JP', 'BR', 'IN', 'US'];

export const CITIES: readonly string[] = ['Leeds', 'Durban', 'Köln', 'Lyon', 'Sevilla', 'Auckland', 'Osaka', ''];

export const SUBJECTS: readonly { code: string; name: string }[] = [
  { code: 'ENG', name: 'English Literature' },
  { code: 'BIO', name: 'Biology' },
  { code: 'CHE', name: 'Chemistry' },
  { code: 'PHY', name: 'Physics' },
  { code: 'MAT', name: 'Mathematics' },
  { code: 'HIS', name: 'History' },
  { code: 'GEO', name: 'Geography' },
  { code: 'ECO', name: 'Economics' },
  { code: 'CSC', name: 'Computer Science' },
  { code: 'PSY', name: 'Psychology' },
  { code: 'ART', name: 'Art & Design' },
  { code: 'MUS', name: 'Music' },
  { code: 'FRE', name: 'French' },
  { code: 'SPA', name: 'Spanish' },
  { code: 'PHI', name: 'Philosophy' },
  { code: 'STA', name: 'Statistics' },
];

export const TOPICS: readonly string[] = [
  'Foundations', 'Case studies', 'Methods', 'Theory', 'Practice', 'Revision', 'Fieldwork', 'Project work',
];

export const LABEL_TEXTS: readonly string[] = [
  '<div class="no-overflow"><p>Read the <strong>module guide</strong> before starting.</p></div>',
  '<div class="no-overflow"><p>Deadlines are on the course calendar.</p></div>',
  '<div class="no-overflow"><p>Office hours: Tuesdays 14:00&ndash;16:00.</p></div>',
];

/** A four-point scale like the one in the shared example (grade 3 = "Good"). */
export const QUALITY_SCALE: readonly string[] = ['Poor', 'Fair', 'Good', 'Excellent'];
