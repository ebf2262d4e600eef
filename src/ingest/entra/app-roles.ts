/*
 * Well-known application permissions (app roles) of Microsoft Graph and
 * Exchange Online, by their documented, tenant-independent ids
 * (https://learn.microsoft.com/graph/permissions-reference). An
 * appRoleAssignment names only the role id; this table turns the ids that
 * matter for privilege rules into the permission names grants use. Ids not
 * listed stay as ids.
 */
export const WELL_KNOWN_APP_ROLES: ReadonlyMap<string, string> = new Map([
  // Microsoft Graph (resource app 00000003-0000-0000-c000-000000000000)
  ['19dbc75e-c2e2-444c-a770-ec69d8559fc7', 'Directory.ReadWrite.All'],
  ['7ab1d382-f21e-4acd-a863-ba3e13f7da61', 'Directory.Read.All'],
  ['9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', 'RoleManagement.ReadWrite.Directory'],
  ['06b708a9-e830-4db3-a914-8e69da51d44f', 'AppRoleAssignment.ReadWrite.All'],
  ['1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', 'Application.ReadWrite.All'],
  ['18a4783c-866b-4cc7-a460-3d5e5662c884', 'Application.ReadWrite.OwnedBy'],
  ['dd199f4a-f148-40a4-a2ec-f0069cc799ec', 'RoleAssignmentSchedule.ReadWrite.Directory'],
  ['50483e42-d915-4231-9639-7fdb7fd190e5', 'UserAuthenticationMethod.ReadWrite.All'],
  ['e2a3a72e-5f79-4c64-b1b1-878b674786c9', 'Mail.ReadWrite'],
  ['810c84a8-4a9e-49e6-bf7d-12d183f40d01', 'Mail.Read'],
  ['b633e1c5-b582-4048-a93e-9f11b44c7e96', 'Mail.Send'],
  ['75359482-378d-4052-8f01-80520e7db3cd', 'Files.ReadWrite.All'],
  ['01d4889c-1287-42c6-ac1f-5d1e02578ef6', 'Files.Read.All'],
  ['9492366f-7969-46a4-8d15-ed1a20078fff', 'Sites.ReadWrite.All'],
  ['a82116e5-55eb-4c41-a434-62fe8a61c773', 'Sites.FullControl.All'],
  ['332a536c-c7ef-4017-ab91-336970924f0d', 'Sites.Read.All'],
  ['741f803b-c850-494e-b5df-cde7c675a1ca', 'User.ReadWrite.All'],
  ['df021288-bdef-4463-88db-98f22de89214', 'User.Read.All'],
  ['62a82d76-70ea-41e2-9197-370581804d09', 'Group.ReadWrite.All'],
  ['5b567255-7703-4780-807c-7be8301ae99b', 'Group.Read.All'],
  ['01c0a623-fc9b-48e9-b794-0756f8e8f067', 'Policy.ReadWrite.ConditionalAccess'],
  ['246dd0d5-5bd0-4def-940b-0421030a5b68', 'Policy.Read.All'],
  // Office 365 Exchange Online (resource app 00000002-0000-0ff1-ce00-000000000000)
  ['dc890d15-9560-4a4c-9b7f-a736ec74ec40', 'full_access_as_app'],
]);

/** The permission name of an app role id, or undefined when it is not a well-known one. */
export function appRoleName(appRoleId: string): string | undefined {
  return WELL_KNOWN_APP_ROLES.get(appRoleId.toLowerCase());
}
