import type { SimUser } from '../../src/moodle-sim';

/** The SMS student an admin would create for a simulated Moodle user. */
export function studentOf(user: SimUser) {
  return {
    moodleUserId: user.id,
    fullName: `${user.firstname} ${user.lastname}`,
    email: user.email,
    idNumber: user.idnumber,
  };
}
