import type { MigrationInterface, QueryRunner } from "typeorm";

/** Finding a person by date of birth (the console's consent search) reads this index, not every row. */
export class PeopleByDateOfBirth1765100000003 implements MigrationInterface {
  name = "PeopleByDateOfBirth1765100000003";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX people_date_of_birth ON people (date_of_birth)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX people_date_of_birth`);
  }
}
