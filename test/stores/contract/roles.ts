import { beforeEach, expect, it } from 'vitest';
import type { RoleStore, StoreLifecycle, UserStore } from '../../../src/store/types.js';
import type { PortContract } from './fixtures.js';

/**
 * The RoleStore contract. A role is created once per name and id, listed by name, renamed only to a
 * free name, and deleted with its permissions and members; permissions and assignments are held once
 * and listed in the order they were given; deleting a user or resetting takes its roles along.
 */
export const rolesContract: PortContract = {
  port: 'RoleStore',
  concern: 'roles and permissions',
  cases(subject) {
    const { user, role, permission } = subject.records;
    let store: RoleStore & UserStore & StoreLifecycle;
    beforeEach(() => {
      ({ store } = subject);
    });
    const JANE = 'email|0123456789abcdef01234567';
    const BOB = 'email|bbbbbbbbbbbbbbbbbbbbbbbb';
    const admin = role();
    const reader = role({ id: 'rol_BBBBBBBBBBBBBBBB', name: 'Reader', description: undefined });

    it('createRole stores a role once: the same name or the same id returns the stored one, not created', async () => {
      expect(await store.createRole(admin)).toEqual({ role: admin, created: true });
      expect(await store.createRole(role({ id: 'rol_CCCCCCCCCCCCCCCC', description: 'other' }))).toEqual({ role: admin, created: false });
      expect(await store.createRole(role({ name: 'Renamed' }))).toEqual({ role: admin, created: false });
      expect(await store.getRole(admin.id)).toEqual(admin);
      expect(await store.getRole('rol_unknown')).toBeUndefined();
    });

    it('lists roles by name, as copies; a role without a description keeps it undefined', async () => {
      await store.createRole(role({ id: 'rol_3', name: 'read_only' }));
      await store.createRole(reader);
      await store.createRole(admin);
      const all = await store.listRoles();
      expect(all.map((r) => r.name)).toEqual(['Admin', 'Reader', 'read_only']);
      expect(all[1]).toEqual(reader);
      all[0]!.name = 'changed';
      expect((await store.getRole(admin.id))?.name).toBe('Admin');
    });

    it('updateRole renames to a free name and changes the description; a taken name changes nothing', async () => {
      await store.createRole(admin);
      await store.createRole(reader);
      expect(await store.updateRole(admin.id, { name: 'Administrator' })).toEqual({ ...admin, name: 'Administrator' });
      expect(await store.updateRole(admin.id, { description: 'All of it' })).toEqual({ ...admin, name: 'Administrator', description: 'All of it' });
      expect(await store.updateRole(admin.id, { name: 'Reader', description: 'x' })).toBe('name_taken');
      expect(await store.getRole(admin.id)).toEqual({ ...admin, name: 'Administrator', description: 'All of it' });
      expect(await store.updateRole(admin.id, { name: 'Administrator' })).toMatchObject({ name: 'Administrator' });
      expect(await store.updateRole('rol_unknown', { name: 'x' })).toBeUndefined();
      // The old name is free again, the new one taken.
      expect((await store.createRole(role({ id: 'rol_DDDDDDDDDDDDDDDD' }))).created).toBe(true);
      expect((await store.createRole(role({ id: 'rol_EEEEEEEEEEEEEEEE', name: 'Administrator' }))).created).toBe(false);
    });

    it('a role\'s permissions are held once, in the order added, and removed by value', async () => {
      await store.createRole(admin);
      expect(await store.addRolePermissions(admin.id, [permission('read:things'), permission('write:things')])).toBe(true);
      await store.addRolePermissions(admin.id, [permission('read:things'), permission('read:other', 'https://other.example.com')]);
      expect(await store.listRolePermissions(admin.id)).toEqual([permission('read:things'), permission('write:things'), permission('read:other', 'https://other.example.com')]);
      expect(await store.removeRolePermissions(admin.id, [permission('read:things'), permission('never:held')])).toBe(true);
      expect(await store.listRolePermissions(admin.id)).toEqual([permission('write:things'), permission('read:other', 'https://other.example.com')]);
      expect(await store.addRolePermissions('rol_unknown', [permission('read:things')])).toBe(false);
      expect(await store.removeRolePermissions('rol_unknown', [permission('read:things')])).toBe(false);
      expect(await store.listRolePermissions('rol_unknown')).toEqual([]);
    });

    it('assigns roles once, skipping roles that do not exist; lists a user\'s roles by name and a role\'s users in assignment order', async () => {
      await store.createRole(admin);
      await store.createRole(reader);
      await store.assignRoles(JANE, [reader.id, admin.id, 'rol_unknown']);
      await store.assignRoles(BOB, [admin.id]);
      await store.assignRoles(JANE, [admin.id]);
      expect(await store.listUserRoles(JANE)).toEqual([admin, reader]);
      expect(await store.listRoleUsers(admin.id)).toEqual([JANE, BOB]);
      expect(await store.listRoleUsers('rol_unknown')).toEqual([]);
      await store.unassignRoles(JANE, [admin.id, 'rol_unknown']);
      expect(await store.listUserRoles(JANE)).toEqual([reader]);
      expect(await store.listRoleUsers(admin.id)).toEqual([BOB]);
      expect(await store.listUserRoles('email|nobody')).toEqual([]);
    });

    it('deleteRole removes the role with its permissions and assignments, and frees its name', async () => {
      await store.createRole(admin);
      await store.createRole(reader);
      await store.addRolePermissions(admin.id, [permission('read:things')]);
      await store.assignRoles(JANE, [admin.id, reader.id]);
      expect(await store.deleteRole(admin.id)).toBe(true);
      expect(await store.deleteRole(admin.id)).toBe(false);
      expect(await store.getRole(admin.id)).toBeUndefined();
      expect(await store.listUserRoles(JANE)).toEqual([reader]);
      expect(await store.listRolePermissions(admin.id)).toEqual([]);
      // A new role of the same name starts empty.
      expect((await store.createRole(admin)).created).toBe(true);
      expect(await store.listRolePermissions(admin.id)).toEqual([]);
      expect(await store.listRoleUsers(admin.id)).toEqual([]);
    });

    it('a user\'s direct permissions are held once, in the order added, and removed by value', async () => {
      await store.addUserPermissions(JANE, [permission('read:things'), permission('write:things')]);
      await store.addUserPermissions(JANE, [permission('write:things'), permission('read:other', 'https://other.example.com')]);
      await store.addUserPermissions(BOB, [permission('read:things')]);
      expect(await store.listUserPermissions(JANE)).toEqual([permission('read:things'), permission('write:things'), permission('read:other', 'https://other.example.com')]);
      await store.removeUserPermissions(JANE, [permission('read:things'), permission('never:held')]);
      expect(await store.listUserPermissions(JANE)).toEqual([permission('write:things'), permission('read:other', 'https://other.example.com')]);
      expect(await store.listUserPermissions(BOB)).toEqual([permission('read:things')]);
      expect(await store.listUserPermissions('email|nobody')).toEqual([]);
    });

    it('deleteUser takes the user\'s roles and direct permissions along; reset forgets every role', async () => {
      await store.insertUser(user({ user_id: JANE }), 'jane@example.com');
      await store.createRole(admin);
      await store.assignRoles(JANE, [admin.id]);
      await store.assignRoles(BOB, [admin.id]);
      await store.addUserPermissions(JANE, [permission('read:things')]);
      await store.deleteUser(JANE);
      expect(await store.listUserRoles(JANE)).toEqual([]);
      expect(await store.listUserPermissions(JANE)).toEqual([]);
      expect(await store.listRoleUsers(admin.id)).toEqual([BOB]);
      await store.addRolePermissions(admin.id, [permission('read:things')]);
      await store.reset();
      expect(await store.listRoles()).toEqual([]);
      expect(await store.getRole(admin.id)).toBeUndefined();
      expect(await store.listRolePermissions(admin.id)).toEqual([]);
      expect(await store.listUserRoles(BOB)).toEqual([]);
      expect((await store.createRole(admin)).created).toBe(true);
    });
  },
};
