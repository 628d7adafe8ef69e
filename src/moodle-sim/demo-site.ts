import { addGeneratedCourses } from './generate';
import { hashSeed, mulberry32 } from './random';
import type { GradeCell } from './records';
import { SITE_COURSE_ID, SiteModel } from './site';

/**
 * The site of the example responses in test/fixtures/moodle: "Example
 * Academy" with course 101 (ENG201) exactly as get_contents.json,
 * grade_items.json and enrolled_users.json show it, hidden course 102, and two
 * generated courses so that a demo has more to show.
 */
export function demoSite(): SiteModel {
  const site = new SiteModel({
    identity: {
      sitename: 'Example Academy',
      release: '4.5 (Build: 20241007)',
      version: '2024100700',
      lang: 'en',
      theme: 'boost',
      userprivateaccesskey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    },
    serviceUser: { id: 7, firstname: 'SMS', lastname: 'Sync', username: 'svc_sms_sync', email: 'sms-sync@example.edu' },
  });
  addPeople(site);
  addFrontPage(site);
  addEnglishLiterature(site);
  addArchivedBiology(site);
  addGeneratedCourses(
    site,
    mulberry32(hashSeed('demo')),
    { courses: 2, studentsPerCourse: 8, activitiesPerCourse: 10, hiddenShare: 0.15, gradedShare: 0.7, studentPool: 12 },
    { guaranteeEdgeCases: false },
  );
  return site;
}

const TINA = 1500;
const ALICE = 2001;
const BONGANI = 2002;

function addPeople(site: SiteModel): void {
  site.addUser({
    id: TINA,
    username: 'tokafor',
    firstname: 'Tina',
    lastname: 'Okafor',
    email: 'tina.okafor@example.edu',
    department: 'English',
    idnumber: 'T0042',
    firstaccess: 1690500000,
    lastaccess: 1738900000,
    country: 'GB',
    contextid: 8500,
  });
  site.addStudent({
    id: ALICE,
    username: 's1001',
    firstname: 'Alice',
    lastname: 'Martin',
    email: 'alice.martin@students.example.edu',
    idnumber: 'S1001',
    firstaccess: 1736990000,
    lastaccess: 1738950000,
    city: 'Leeds',
    country: 'GB',
    contextid: 9201,
    customfields: [{ type: 'text', value: '2025-ENG', name: 'Cohort', shortname: 'cohort' }],
  });
  site.addStudent({
    id: BONGANI,
    username: 's1002',
    firstname: 'Bongani',
    lastname: 'Dlamini',
    email: 'bongani.dlamini@students.example.edu',
    idnumber: 'S1002',
    country: 'ZA',
    contextid: 9202,
  });
}

function addFrontPage(site: SiteModel): void {
  site.addCourse({
    id: SITE_COURSE_ID,
    format: 'site',
    shortname: 'EXACAD',
    fullname: 'Example Academy',
    summary: '<p>Welcome to the Example Academy learning site.</p>',
    categorysortorder: 1,
    newsitems: 3,
    timecreated: 1690000000,
    timemodified: 1721000000,
    sections: [{ name: '' }, { name: 'Site news' }],
  });
}

function addEnglishLiterature(site: SiteModel): void {
  const course = 101;
  site.addCourse({
    id: course,
    shortname: 'ENG201-2025',
    fullname: 'English Literature 201',
    idnumber: 'SMS-ENG201-2025A',
    categoryid: 3,
    categorysortorder: 30001,
    summary: '<p>Poetry and drama from the Romantic period to the present.</p>',
    format: 'topics',
    startdate: 1736985600,
    enddate: 1750377600,
    timecreated: 1733000000,
    timemodified: 1736900000,
    customfields: [{ name: 'SMS section code', shortname: 'smssection', type: 'text', value: 'ENG201-A' }],
    groups: [
      { id: 71, name: 'Seminar A' },
      { id: 72, name: 'Seminar B' },
    ],
    sections: [
      { id: 5010, name: 'General' },
      { id: 5011, name: 'Week 1 – Poetry', summary: '<p>Romantic poets.</p>' },
      { id: 5012, name: 'Week 2 – Drama' },
      { id: 5013, name: 'Exam preparation', summary: '<p>Opens in May.</p>' },
    ],
    gradeCategoryId: 201,
    courseTotalItemId: 3001,
  });
  // The sub-category comes first in the course category, before the forum rating.
  const coursework = site.addGradeCategory(course, { id: 202, totalItemId: 3002 }).id;

  site.addActivity(course, {
    id: 1001,
    section: 0,
    modname: 'forum',
    name: 'Announcements',
    instance: 51,
    contextid: 9001,
  });
  site.addActivity(course, {
    id: 1002,
    section: 0,
    modname: 'label',
    name: 'Welcome banner',
    instance: 61,
    contextid: 9002,
    description:
      '<div class="no-overflow"><p>Welcome to <strong>ENG201</strong>! Check the reading list first.</p></div>',
  });
  site.addActivity(course, {
    id: 1003,
    section: 1,
    modname: 'page',
    name: 'Reading list',
    instance: 71,
    contextid: 9003,
    completion: 1,
    content: { kind: 'page', timemodified: 1736800000 },
  });
  site.addActivity(course, {
    id: 1004,
    section: 1,
    modname: 'assign',
    name: 'Essay 1: Romantic poets',
    instance: 11,
    contextid: 9004,
    customdata: '{"duedate":"1738000800","allowsubmissionsfromdate":"1737072000"}',
    dates: [
      { label: 'Opened:', timestamp: 1737072000, dataid: 'allowsubmissionsfromdate' },
      { label: 'Due:', timestamp: 1738000800, dataid: 'duedate' },
    ],
    gradeItems: [{ id: 3003, idnumber: 'ENG201-E1', grademax: 100, gradepass: 50, categoryid: coursework }],
  });
  site.addActivity(course, {
    id: 1005,
    section: 1,
    modname: 'quiz',
    name: 'Week 2 quiz',
    instance: 7,
    contextid: 9005,
    customdata: '{"timeopen":"1738540800","timeclose":"1738627200"}',
    dates: [
      { label: 'Opened:', timestamp: 1738540800, dataid: 'timeopen' },
      { label: 'Closes:', timestamp: 1738627200, dataid: 'timeclose' },
    ],
    gradeItems: [{ id: 3004, grademax: 10, categoryid: coursework }],
  });
  site.addActivity(course, {
    id: 1006,
    section: 1,
    modname: 'forum',
    name: 'Seminar discussion',
    instance: 52,
    contextid: 9006,
    gradeItems: [{ id: 3006, itemname: 'Seminar discussion rating', scale: ['Poor', 'Fair', 'Good', 'Excellent'] }],
  });
  site.addActivity(course, {
    id: 1007,
    section: 1,
    modname: 'choice',
    name: 'Pick your seminar slot',
    instance: 21,
    contextid: 9007,
  });
  site.addActivity(course, {
    id: 1008,
    section: 2,
    modname: 'assign',
    name: 'Essay 2 (draft, not released)',
    instance: 12,
    contextid: 9008,
    visible: false,
    customdata: '{"duedate":"1740420000","allowsubmissionsfromdate":"0"}',
    dates: [{ label: 'Due:', timestamp: 1740420000, dataid: 'duedate' }],
    gradeItems: [{ id: 3005, grademax: 100, categoryid: coursework }],
  });
  site.addActivity(course, {
    id: 1009,
    section: 2,
    modname: 'url',
    name: 'Globe Theatre virtual tour',
    instance: 81,
    contextid: 9009,
    visibleoncoursepage: false,
    content: { kind: 'url', url: 'https://tours.example.org/globe', timemodified: 1736850000 },
  });
  site.addActivity(course, {
    id: 1011,
    section: 3,
    modname: 'quiz',
    name: 'Mock exam',
    instance: 8,
    contextid: 9011,
    gradeItems: [{ id: 3007, grademax: 20 }],
  });
  site.addManualItem(course, { id: 3008, itemname: 'Attendance', idnumber: 'ENG201-ATT', grademax: 6 });
  site.setSectionVisible(course, 3, false);

  site.enrol(course, TINA, 'editingteacher');
  site.enrol(course, ALICE, 'student', { groupids: [71] });
  site.enrol(course, BONGANI, 'student', { groupids: [72] });

  // Alice's grades carry the example's own dates, which grade() would stamp with the clock.
  const alicesGrades: [number, GradeCell][] = [
    [
      3003,
      {
        value: 78,
        feedback: '<p>Well-structured argument. <strong>Work on your citations</strong> (see the style guide).</p>',
        datesubmitted: 1737990000,
        dategraded: 1738400000,
      },
    ],
    [3004, { value: 8.5, feedback: '', datesubmitted: 1738600000, dategraded: 1738600000 }],
    [3006, { value: 3, feedback: '', datesubmitted: 1738650000, dategraded: 1738650000 }],
    [3008, { value: 5, feedback: '', datesubmitted: null, dategraded: 1738800000 }],
  ];
  const gradebook = site.gradebook(course);
  for (const [itemId, cell] of alicesGrades) gradebook.setActivityGrade(itemId, ALICE, cell);
}

function addArchivedBiology(site: SiteModel): void {
  const course = 102;
  site.addCourse({
    id: course,
    shortname: 'BIO110-2024',
    fullname: 'Biology 110 (archived)',
    idnumber: 'SMS-BIO110-2024B',
    categoryid: 4,
    categorysortorder: 40003,
    format: 'weeks',
    startdate: 1722470400,
    enddate: 1734048000,
    visible: false,
    hiddensections: 0,
    groupmode: 1,
    enablecompletion: false,
    timecreated: 1719000000,
    timemodified: 1735000000,
    sections: [{ name: 'General' }, ...Array.from({ length: 16 }, (_, week) => ({ name: `Week ${week + 1}` }))],
  });
  site.addActivity(course, { section: 0, modname: 'forum', name: 'Announcements' });
  site.addActivity(course, { section: 2, modname: 'assign', name: 'Lab report 1', gradeItems: [{ grademax: 50 }] });
  site.addActivity(course, { section: 8, modname: 'quiz', name: 'Midterm quiz', gradeItems: [{ grademax: 20 }] });
  site.enrol(course, TINA, 'editingteacher');
}
