import type { Sql } from "../../shared/database";
import { Neighbourhood } from "../types";

interface NeighbourhoodRow {
  code: string;
  name: string;
  local_authority: string;
  local_authority_code: string;
  latitude: number;
  longitude: number;
}

/** All SQL over neighbourhoods. */
export class NeighbourhoodRepository {
  constructor(private readonly sql: Sql) {}

  async findByCodes(codes: readonly string[]): Promise<Neighbourhood[]> {
    const rows = await this.sql.many<NeighbourhoodRow>(
      `SELECT code, name, local_authority, local_authority_code, latitude, longitude
         FROM neighbourhoods WHERE code = ANY($1)`,
      [codes],
    );
    return rows.map(toNeighbourhood);
  }

  /** Neighbourhoods whose name, code or local authority contains `search` (any case), by name. */
  async search(search: string | null, limit: number): Promise<Neighbourhood[]> {
    const rows = await this.sql.many<NeighbourhoodRow>(
      `SELECT code, name, local_authority, local_authority_code, latitude, longitude
         FROM neighbourhoods
        WHERE $1::text IS NULL
           OR strpos(lower(name || ' ' || code || ' ' || local_authority), lower($1::text)) > 0
        ORDER BY name, code
        LIMIT $2`,
      [search, limit],
    );
    return rows.map(toNeighbourhood);
  }
}

function toNeighbourhood(r: NeighbourhoodRow): Neighbourhood {
  return Object.assign(new Neighbourhood(), {
    code: r.code,
    name: r.name,
    localAuthority: r.local_authority,
    localAuthorityCode: r.local_authority_code,
    latitude: r.latitude,
    longitude: r.longitude,
  });
}
