import {
  Arg,
  Ctx,
  Directive,
  Field,
  ID,
  Int,
  ObjectType,
  Query,
  Resolver,
  registerEnumType,
} from "type-graphql";
import type { Caller } from "../auth";
import type { RequestContext } from "../context";
import { Role } from "../enums";
import { badInput } from "../errors";
import { Governed, Part, type PartyRule } from "../policy";
import { DateTime } from "../scalars";
import { ImportLog, type ImportedFile, type ImportRecord, type PeopleCounts } from "./store";

/**
 * The imports an agency's records came in by (`npm run ingest`), for that agency's data-sharing
 * officers: each agency subgraph answers for its own, under a field named after it
 * (`councilImports`, ...), since each holds its own `imports` table.
 */

export enum ImportOutcome {
  RUNNING = "RUNNING",
  LOADED = "LOADED",
  FAILED = "FAILED",
  DRY_RUN = "DRY_RUN",
}
registerEnumType(ImportOutcome, {
  name: "ImportOutcome",
  description: "How an import ended.",
  valuesConfig: {
    RUNNING: { description: "Not ended: still running, or stopped without ending (killed)." },
    LOADED: { description: "Every file was loaded (bad rows, if rejects were asked for, left out)." },
    FAILED: { description: "A file was refused or could not be written; files before it were loaded." },
    DRY_RUN: { description: "A dry run: nothing was written." },
  },
});

/** Whose imports these are: a DSO of the agency whose records they loaded. */
export const IMPORTING_AGENCY_DSO: PartyRule = {
  name: "a data-sharing officer of the agency whose records were imported",
  test: (r: { agencyId: string }, caller: Caller) =>
    caller.role === Role.DATA_SHARING_OFFICER && r.agencyId === caller.agencyId,
};

@Directive("@shareable")
@Part()
@ObjectType({ description: "One file of an import, as it was read." })
export class ImportedFileSummary {
  @Field(() => String, { description: "The file's name." })
  name!: string;

  @Field(() => String, { description: "The file's SHA-256 (hex), to tell which export it was." })
  sha256!: string;

  @Field(() => String, { description: "The record kind its rows became (asbCase, tenancy, ...)." })
  record!: string;

  @Field(() => Int, { description: "Data rows read." })
  rows!: number;

  @Field(() => Int, { description: "Records added." })
  new!: number;

  @Field(() => Int, { description: "Records a changed row updated." })
  changed!: number;

  @Field(() => Int, { description: "Rows that changed nothing." })
  unchanged!: number;

  @Field(() => Int, { description: "Bad rows (left out, or the reason the file was refused)." })
  rejected!: number;

  @Field(() => Int, {
    description:
      "Rows of records an erasure or retention took, or hanging on one: skipped, not loaded again (no error).",
  })
  forgotten!: number;

  @Field(() => Boolean, { description: "Whether the file was written (not refused, not a dry run)." })
  loaded!: boolean;

  @Field(() => Int, { description: "People its rows are about whom the agency's reference already gave." })
  peopleKnown!: number;

  @Field(() => Int, {
    description: "People its rows are about who were linked to a person another agency already holds.",
  })
  peopleLinked!: number;

  @Field(() => Int, {
    description:
      "People its rows are about who may be a person already in the index: given a provisional person, and " +
      "queued for the agency's data-sharing officers to confirm or reject.",
  })
  peopleQueuedForReview!: number;

  @Field(() => Int, { description: "People its rows are about who are new to the people index." })
  peopleNew!: number;
}

@Directive("@shareable")
@Governed({ roles: [Role.DATA_SHARING_OFFICER], party: IMPORTING_AGENCY_DSO })
@ObjectType({ description: "One import of an agency's own exports into its records (npm run ingest)." })
export class DataImport {
  @Field(() => ID, { description: "The import's number in its agency's records." })
  id!: string;

  @Field(() => String, { description: "The agency whose records were loaded." })
  agencyId!: string;

  @Field(() => String, { description: "The source system, as its mapping names it." })
  source!: string;

  @Field(() => String, { description: "Who ran it." })
  importedBy!: string;

  @Field(() => DateTime, { description: "When it started." })
  startedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When it ended (null: running, or killed)." })
  finishedAt!: Date | null;

  @Field(() => Boolean, { description: "A dry run: nothing was written." })
  dryRun!: boolean;

  @Field(() => ImportOutcome, { description: "How it ended." })
  outcome!: ImportOutcome;

  @Field(() => [ImportedFileSummary], { description: "Its files, in the order they were loaded." })
  files!: ImportedFile[];

  @Field(() => Int, { description: "Data rows read, every file." })
  rows!: number;

  @Field(() => Int, { description: "Records added." })
  newRecords!: number;

  @Field(() => Int, { description: "Records updated." })
  changedRecords!: number;

  @Field(() => Int, { description: "Rows that changed nothing." })
  unchangedRecords!: number;

  @Field(() => Int, { description: "Bad rows." })
  rejectedRows!: number;

  @Field(() => Int, {
    description:
      "Rows of records an erasure or retention took, or hanging on one: skipped, not loaded again (each file's, summed).",
  })
  forgottenRows!: number;

  @Field(() => String, {
    nullable: true,
    description: "Why it failed: the first problem of the refused file, without the values it quotes.",
  })
  failure!: string | null;

  @Field(() => Int, { description: "People already known by the agency's reference (each file's, summed)." })
  peopleKnown!: number;

  @Field(() => Int, { description: "People linked to a person another agency holds (each file's, summed)." })
  peopleLinked!: number;

  @Field(() => Int, { description: "People queued for review (each file's, summed)." })
  peopleQueuedForReview!: number;

  @Field(() => Int, { description: "People new to the people index (each file's, summed)." })
  peopleNew!: number;
}

/** The query an agency subgraph answers for its own imports: `<agency>Imports`. */
export function importsResolver(agency: string) {
  @Resolver()
  class ImportsResolver {
    @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
    @Query(() => [DataImport], {
      name: `${agency}Imports`,
      description: `The latest imports of ${agency}'s own exports into its records, newest first. For ${agency}'s data-sharing officers.`,
    })
    async imports(
      @Arg("first", () => Int, { defaultValue: 20, description: "At most this many (1 to 100)." })
      first: number,
      @Ctx() ctx: RequestContext<unknown>,
    ): Promise<(ImportRecord & PeopleCounts & { forgottenRows: number })[]> {
      if (!(first >= 1 && first <= 100)) throw badInput("first", "must be between 1 and 100");
      return ImportLog.latest(ctx.sql, first);
    }
  }
  return ImportsResolver;
}
