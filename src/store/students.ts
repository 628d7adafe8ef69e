import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import { DuplicateRecordError, insertNew } from './errors';
import { createIndexes, escapeRegex, findWhereIn, type StoreTraits } from './mongo';
import { findByHexId, pageById, parseObjectId, type Page, type PageRequest } from './pagination';

export interface StudentDocument {
  _id: ObjectId;
  /** The Moodle account; unique, so one SMS student per Moodle user. */
  moodleUserId: number;
  fullName: string;
  email: string | null;
  idNumber: string | null;
  /** Lower-case name, email and id number: FerretDB has no collation, so search runs on this copy. */
  searchText: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface StudentInput {
  moodleUserId: number;
  fullName: string;
  email?: string | null;
  idNumber?: string | null;
}

export const STUDENTS = 'students';

function studentSearchFilter(search: string | undefined): Filter<StudentDocument> {
  return search === undefined || search.trim() === ''
    ? {}
    : { searchText: { $regex: escapeRegex(search.trim().toLowerCase()) } };
}

/** A new student as `create` stores it (bulk loaders insert these directly). */
export function newStudentDocument(input: StudentInput, now: Date): StudentDocument {
  const email = input.email || null;
  const idNumber = input.idNumber || null;
  return {
    _id: new ObjectId(),
    moodleUserId: input.moodleUserId,
    fullName: input.fullName,
    email,
    idNumber,
    searchText: [input.fullName, email ?? '', idNumber ?? ''].join(' ').toLowerCase(),
    createdAt: now,
    updatedAt: now,
  };
}

export class StudentStore {
  readonly collection: Collection<StudentDocument>;

  constructor(
    db: Db,
    private readonly traits: StoreTraits,
  ) {
    this.collection = db.collection<StudentDocument>(STUDENTS);
  }

  async ensureIndexes(): Promise<void> {
    await createIndexes(this.collection, [
      { key: { moodleUserId: 1 }, name: 'students_moodle_user', unique: true },
      { key: { searchText: 1 }, name: 'students_search' },
    ]);
  }

  /** Refuses a second student for the same Moodle user with a DuplicateRecordError. */
  async create(input: StudentInput, now: Date): Promise<StudentDocument> {
    const document = newStudentDocument(input, now);
    await insertNew(
      this.collection,
      document,
      () => new DuplicateRecordError('student', `a student for Moodle user ${input.moodleUserId} already exists`),
    );
    return document;
  }

  /** Null for an unknown or malformed id. */
  async get(id: string): Promise<StudentDocument | null> {
    return findByHexId(this.collection, id);
  }

  async getByMoodleUserId(moodleUserId: number): Promise<StudentDocument | null> {
    return this.collection.findOne({ moodleUserId });
  }

  async getMany(ids: readonly string[]): Promise<StudentDocument[]> {
    const objectIds = ids.flatMap((id) => parseObjectId(id) ?? []);
    return findWhereIn(this.collection, this.traits, '_id', objectIds);
  }

  /** `search` matches any part of the name, email or id number, case-insensitively. */
  async list(page: PageRequest, search?: string): Promise<Page<StudentDocument>> {
    return pageById(this.collection, studentSearchFilter(search), page);
  }

  async count(search?: string): Promise<number> {
    return this.collection.countDocuments(studentSearchFilter(search));
  }
}
