/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What kind of anti-social behaviour a case is about. */
export type AsbCategory =
  /** Drug use or dealing in a public or shared place. */
  | 'DRUG_USE'
  /** Waste dumped illegally. */
  | 'FLY_TIPPING'
  /** Harassment, threats or intimidating behaviour. */
  | 'INTIMIDATION'
  /** A dispute between neighbours. */
  | 'NEIGHBOUR_DISPUTE'
  /** Persistent noise: music, parties, shouting, barking. */
  | 'NOISE'
  /** Abandoned, dangerous or nuisance vehicles. */
  | 'NUISANCE_VEHICLES'
  /** Drinking in the street and the nuisance around it. */
  | 'STREET_DRINKING'
  /** Damage to property, graffiti. */
  | 'VANDALISM_AND_GRAFFITI'
  /** Nuisance by groups of young people. */
  | 'YOUTH_NUISANCE';

/** The police.uk crime types, as published. */
export type CrimeCategory =
  /** police.uk: Anti-social behaviour. */
  | 'ANTI_SOCIAL_BEHAVIOUR'
  /** police.uk: Bicycle theft. */
  | 'BICYCLE_THEFT'
  /** police.uk: Burglary. */
  | 'BURGLARY'
  /** police.uk: Criminal damage and arson. */
  | 'CRIMINAL_DAMAGE_AND_ARSON'
  /** police.uk: Drugs. */
  | 'DRUGS'
  /** police.uk: Other crime. */
  | 'OTHER_CRIME'
  /** police.uk: Other theft. */
  | 'OTHER_THEFT'
  /** police.uk: Possession of weapons. */
  | 'POSSESSION_OF_WEAPONS'
  /** police.uk: Public order. */
  | 'PUBLIC_ORDER'
  /** police.uk: Robbery. */
  | 'ROBBERY'
  /** police.uk: Shoplifting. */
  | 'SHOPLIFTING'
  /** police.uk: Theft from the person. */
  | 'THEFT_FROM_THE_PERSON'
  /** police.uk: Vehicle crime. */
  | 'VEHICLE_CRIME'
  /** police.uk: Violence and sexual offences. */
  | 'VIOLENCE_AND_SEXUAL_OFFENCES';

/** What a youth programme offers. */
export type ProgrammeKind =
  /** Music, drama, media and other creative projects. */
  | 'ARTS'
  /** Youth workers meeting young people where they gather, on the street. */
  | 'DETACHED_YOUTH_WORK'
  /** Structured work to divert a young person from offending or anti-social behaviour. */
  | 'DIVERSION'
  /** One-to-one support from a trained mentor. */
  | 'MENTORING'
  /** Regular sport sessions, often in the evenings when nuisance peaks. */
  | 'SPORT';

/** Steps housing takes on a tenancy, from a warning to eviction, and support to keep the home. */
export type TenancyActionType =
  /** Bailiffs executed a warrant: the household lost the home. */
  | 'EVICTION'
  /** A notice of seeking possession (NOSP) served: the first legal step to end the tenancy. */
  | 'NOTICE_OF_SEEKING_POSSESSION'
  /** The county court granted a possession order (outright or suspended). */
  | 'POSSESSION_ORDER'
  /** Tenancy sustainment support: money advice, a support worker, a referral. */
  | 'SUSTAINMENT_SUPPORT'
  /** A verbal or written warning about conduct or rent. */
  | 'WARNING';

export type ConsoleAgenciesQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleAgenciesQuery = { agencies: Array<{ id: string, name: string }> };

export type ConsoleNeighbourhoodsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleNeighbourhoodsQuery = { neighbourhoodList: Array<{ code: string, name: string, localAuthority: string }> };

export type NeighbourhoodDashboardQueryVariables = Exact<{
  codes: Array<string> | string;
  fromMonth: string;
  toMonth: string;
}>;


export type NeighbourhoodDashboardQuery = { neighbourhoods: Array<{ code: string, name: string, localAuthority: string, incidentStats: Array<{ month: string, category: CrimeCategory, count: number | null, suppressed: boolean }> | null, asbCaseStats: Array<{ month: string, category: AsbCategory, count: number | null, suppressed: boolean }> | null, tenancyActionStats: Array<{ month: string, type: TenancyActionType, count: number | null, suppressed: boolean }> | null, referralStats: Array<{ month: string, kind: ProgrammeKind, count: number | null, suppressed: boolean }> | null }> };


export const ConsoleAgenciesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleAgencies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agencies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ConsoleAgenciesQuery, ConsoleAgenciesQueryVariables>;
export const ConsoleNeighbourhoodsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleNeighbourhoods"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"neighbourhoodList"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"500"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"localAuthority"}}]}}]}}]} as unknown as DocumentNode<ConsoleNeighbourhoodsQuery, ConsoleNeighbourhoodsQueryVariables>;
export const NeighbourhoodDashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"NeighbourhoodDashboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"codes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromMonth"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"toMonth"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"neighbourhoods"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"codes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"codes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"localAuthority"}},{"kind":"Field","name":{"kind":"Name","value":"incidentStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromMonth"}}},{"kind":"Argument","name":{"kind":"Name","value":"toMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toMonth"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"suppressed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"asbCaseStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromMonth"}}},{"kind":"Argument","name":{"kind":"Name","value":"toMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toMonth"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"suppressed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tenancyActionStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromMonth"}}},{"kind":"Argument","name":{"kind":"Name","value":"toMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toMonth"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"suppressed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"referralStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromMonth"}}},{"kind":"Argument","name":{"kind":"Name","value":"toMonth"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toMonth"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"month"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"suppressed"}}]}}]}}]}}]} as unknown as DocumentNode<NeighbourhoodDashboardQuery, NeighbourhoodDashboardQueryVariables>;