import { useCollection } from '@cloudscape-design/collection-hooks';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FileUpload from '@cloudscape-design/components/file-upload';
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Multiselect from '@cloudscape-design/components/multiselect';
import Pagination from '@cloudscape-design/components/pagination';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Tabs from '@cloudscape-design/components/tabs';
import TextFilter from '@cloudscape-design/components/text-filter';
import { type ReactNode, useState } from 'react';
import { ConsoleApiError, type GroupView, type ImportSummary, send, type UserAccess } from '../api';
import { useApi } from '../hooks';
import { navigate, paramsOf, type Route } from '../router';
import { Empty, Guarded, SampleNotice } from '../states';

type Flash = FlashbarProps.MessageDefinition;
const message = (error: unknown) =>
  error instanceof ConsoleApiError ? `${error.message}${error.error.hint ? ` (fix: ${error.error.hint})` : ''}` : String((error as Error).message);

const accessText = (access: Readonly<Record<string, readonly string[]>>) =>
  Object.entries(access)
    .map(([account, sets]) => `${account}: ${sets.join(', ')}`)
    .join(' · ');

/** Every user with their groups and access per account; group changes, new users, deactivation and bulk import. */
export default function PeoplePage({ route, sandbox }: { route: Route; sandbox: boolean }) {
  const params = paramsOf(route);
  const tab = params.tab ?? 'users';
  const users = useApi<{ users: UserAccess[] }>('/api/people');
  // The users tab needs the groups' names only; the groups tab asks for their members when it opens.
  const groups = useApi<{ groups: GroupView[] }>(tab === 'groups' ? '/api/groups' : '/api/groups?members=none');
  const [flashes, setFlashes] = useState<Flash[]>([]);
  const reloadAll = () => {
    users.reload();
    groups.reload();
  };
  const notify = (flash: Omit<Flash, 'id' | 'dismissible' | 'onDismiss'>) => {
    const id = `${Date.now()}`;
    setFlashes((all) => [
      { ...flash, id, dismissible: true, dismissLabel: 'Dismiss', onDismiss: () => setFlashes((f) => f.filter((x) => x.id !== id)) },
      ...all.slice(0, 2),
    ]);
  };
  return (
    <ContentLayout
      header={
        <SpaceBetween size="m">
          <Header variant="h1" description="People are data: changes here go to IAM Identity Center at once, and are recorded (who, what, when).">
            People & permissions
          </Header>
          {sandbox ? (
            <SampleNotice>
              This is the sandbox: its people are sample people (example.com) imported from examples/users.csv. Changes go to the emulator&apos;s Identity
              Center, as they would to yours on AWS.
            </SampleNotice>
          ) : null}
          <Flashbar items={flashes} />
        </SpaceBetween>
      }
    >
      <Tabs
        activeTabId={tab}
        onChange={({ detail }) => navigate('/people', { ...params, tab: detail.activeTabId === 'users' ? undefined : detail.activeTabId })}
        tabs={[
          {
            id: 'users',
            label: 'Users',
            content: (
              <Guarded loaded={users} what="users">
                {(u) => (
                  <Users
                    users={u.users}
                    groups={(groups.data?.groups ?? []).map((g) => g.name)}
                    filter={params.q ?? ''}
                    onFilter={(q) => navigate('/people', { ...params, q }, true)}
                    onChanged={reloadAll}
                    notify={notify}
                  />
                )}
              </Guarded>
            ),
          },
          {
            id: 'groups',
            label: 'Groups',
            content: (
              <Guarded loaded={groups} what="groups">
                {(g) => <Groups groups={g.groups} />}
              </Guarded>
            ),
          },
          { id: 'import', label: 'Bulk import', content: <Import onImported={reloadAll} notify={notify} /> },
        ]}
      />
    </ContentLayout>
  );
}

function Users(props: {
  users: UserAccess[];
  groups: string[];
  filter: string;
  onFilter: (q: string) => void;
  onChanged: () => void;
  notify: (f: Omit<Flash, 'id' | 'dismissible' | 'onDismiss'>) => void;
}) {
  const [selected, setSelected] = useState<UserAccess[]>([]);
  const [dialog, setDialog] = useState<'add' | 'remove' | 'deactivate' | 'create' | undefined>();
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount } = useCollection(props.users, {
    filtering: {
      defaultFilteringText: props.filter,
      filteringFunction: (user, text) =>
        [user.username, user.displayName, user.email, ...user.groups, accessText(user.access)].some((v) => v.toLowerCase().includes(text.toLowerCase())),
      empty: <Empty title="No users yet">Create one, or import a CSV file on the Bulk import tab.</Empty>,
      noMatch: <Empty title="No user matches">Clear the search to see everyone.</Empty>,
    },
    pagination: { pageSize: 50 },
    sorting: { defaultState: { sortingColumn: { sortingField: 'username' } } },
    selection: { trackBy: 'username' },
  });
  const user = selected[0];
  const done = (text: string) => {
    props.notify({ type: 'success', content: text });
    setDialog(undefined);
    props.onChanged();
  };
  return (
    <>
      <Table<UserAccess>
        {...collectionProps}
        variant="container"
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        trackBy="username"
        ariaLabels={{ selectionGroupLabel: 'User', itemSelectionLabel: (_, u) => u.username, allItemsSelectionLabel: () => 'all' }}
        header={
          <Header
            counter={`(${filterProps.filteringText ? `${filteredItemsCount}/` : ''}${props.users.length})`}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button disabled={!user} onClick={() => setDialog('add')}>
                  Add to group
                </Button>
                <Button disabled={!user || user.groups.length === 0} onClick={() => setDialog('remove')}>
                  Remove from group
                </Button>
                <Button disabled={!user} onClick={() => setDialog('deactivate')}>
                  Deactivate
                </Button>
                <Button variant="primary" onClick={() => setDialog('create')}>
                  Create user
                </Button>
              </SpaceBetween>
            }
          >
            Users
          </Header>
        }
        filter={
          <TextFilter
            {...filterProps}
            filteringPlaceholder="Search users, groups, accounts"
            filteringAriaLabel="Search users"
            onChange={(event) => {
              filterProps.onChange(event);
              props.onFilter(event.detail.filteringText);
            }}
          />
        }
        pagination={
          <Pagination {...paginationProps} ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }} />
        }
        items={items}
        columnDefinitions={[
          { id: 'username', header: 'User name', cell: (u) => u.username, sortingField: 'username', isRowHeader: true },
          { id: 'name', header: 'Name', cell: (u) => u.displayName, sortingField: 'displayName' },
          { id: 'email', header: 'E-mail', cell: (u) => u.email },
          { id: 'groups', header: 'Groups', cell: (u) => (u.groups.length > 0 ? u.groups.join(', ') : <Box color="text-status-inactive">none</Box>) },
          { id: 'access', header: 'Access (account: permission sets)', cell: (u) => accessText(u.access) || '—' },
        ]}
      />
      {dialog === 'add' && user ? (
        <GroupDialog
          title={`Add ${user.username} to a group`}
          groups={props.groups.filter((g) => !user.groups.includes(g))}
          confirm="Add"
          onCancel={() => setDialog(undefined)}
          onConfirm={async (group) => {
            await send('POST', `/api/people/${encodeURIComponent(user.username)}/groups`, { group });
            done(`${user.username} added to ${group}`);
          }}
        />
      ) : null}
      {dialog === 'remove' && user ? (
        <GroupDialog
          title={`Remove ${user.username} from a group`}
          groups={[...user.groups]}
          confirm="Remove"
          onCancel={() => setDialog(undefined)}
          onConfirm={async (group) => {
            await send('DELETE', `/api/people/${encodeURIComponent(user.username)}/groups/${encodeURIComponent(group)}`);
            done(`${user.username} removed from ${group}`);
          }}
        />
      ) : null}
      {dialog === 'deactivate' && user ? (
        <Confirm
          title={`Deactivate ${user.username}?`}
          confirm="Deactivate"
          onCancel={() => setDialog(undefined)}
          onConfirm={async () => {
            const r = await send<{ removedFrom: string[] }>('POST', `/api/people/${encodeURIComponent(user.username)}/deactivate`);
            done(`${user.username} deactivated: removed from ${r.removedFrom.length > 0 ? r.removedFrom.join(', ') : 'no group'}`);
          }}
        >
          {user.username} will be removed from every group ({user.groups.join(', ') || 'none'}) and reach no account through them. The user stays in the
          directory with their history; disabling their sign-in itself is done in the IAM Identity Center console.
        </Confirm>
      ) : null}
      {dialog === 'create' ? <CreateUser groups={props.groups} onCancel={() => setDialog(undefined)} onCreated={(name) => done(`${name} created`)} /> : null}
    </>
  );
}

/** A confirmation dialog that shows the server's error and stays open on failure. */
function Confirm(props: { title: string; confirm: string; disabled?: boolean; onCancel: () => void; onConfirm: () => Promise<void>; children: ReactNode }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <Modal
      visible
      header={props.title}
      onDismiss={props.onCancel}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onCancel}>
              Cancel
            </Button>
            <Button
              variant="primary"
              loading={busy}
              disabled={props.disabled}
              onClick={async () => {
                setBusy(true);
                setError(undefined);
                try {
                  await props.onConfirm();
                } catch (e) {
                  setError(message(e));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {props.confirm}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        {props.children}
        {error ? <Alert type="error">{error}</Alert> : null}
      </SpaceBetween>
    </Modal>
  );
}

function GroupDialog(props: { title: string; groups: string[]; confirm: string; onCancel: () => void; onConfirm: (group: string) => Promise<void> }) {
  const [group, setGroup] = useState<string>();
  return (
    <Confirm title={props.title} confirm={props.confirm} disabled={!group} onCancel={props.onCancel} onConfirm={() => props.onConfirm(group ?? '')}>
      <FormField label="Group">
        <Select
          placeholder="Pick a group"
          selectedOption={group ? { value: group, label: group } : null}
          options={props.groups.map((g) => ({ value: g, label: g }))}
          empty="No group to pick"
          onChange={({ detail }) => setGroup(detail.selectedOption.value)}
        />
      </FormField>
    </Confirm>
  );
}

function CreateUser(props: { groups: string[]; onCancel: () => void; onCreated: (name: string) => void }) {
  const [fields, setFields] = useState({ username: '', email: '', given_name: '', family_name: '', display_name: '' });
  const [groups, setGroups] = useState<string[]>([]);
  const field = (name: keyof typeof fields, label: string, optional = false) => (
    <FormField label={label} constraintText={optional ? 'Optional' : undefined}>
      <Input value={fields[name]} onChange={({ detail }) => setFields({ ...fields, [name]: detail.value })} />
    </FormField>
  );
  return (
    <Confirm
      title="Create a user"
      confirm="Create"
      onCancel={props.onCancel}
      onConfirm={async () => {
        await send('POST', '/api/people', { ...fields, groups });
        props.onCreated(fields.username);
      }}
    >
      <Form>
        <SpaceBetween size="s">
          {field('username', 'User name')}
          {field('email', 'E-mail')}
          {field('given_name', 'Given name')}
          {field('family_name', 'Family name')}
          {field('display_name', 'Display name', true)}
          <FormField label="Groups">
            <Multiselect
              placeholder="No group"
              selectedOptions={groups.map((g) => ({ value: g, label: g }))}
              options={props.groups.map((g) => ({ value: g, label: g }))}
              onChange={({ detail }) => setGroups(detail.selectedOptions.map((o) => o.value ?? ''))}
            />
          </FormField>
        </SpaceBetween>
      </Form>
    </Confirm>
  );
}

function Groups({ groups }: { groups: GroupView[] }) {
  return (
    <Table<GroupView>
      variant="container"
      header={<Header counter={`(${groups.length})`}>Groups</Header>}
      items={groups}
      trackBy="name"
      empty={<Empty title="No groups">Groups come from groundwork.yaml: run groundwork apply.</Empty>}
      columnDefinitions={[
        { id: 'name', header: 'Group', cell: (g) => g.name, isRowHeader: true },
        { id: 'count', header: 'Members', cell: (g) => g.memberCount },
        {
          id: 'members',
          header: 'Who',
          cell: (g) => (g.members.length > 10 ? `${g.members.slice(0, 10).join(', ')} and ${g.members.length - 10} more` : g.members.join(', ') || '—'),
        },
        { id: 'access', header: 'Assignments (account: permission sets)', cell: (g) => accessText(g.access) || '—' },
      ]}
    />
  );
}

function Import(props: { onImported: () => void; notify: (f: Omit<Flash, 'id' | 'dismissible' | 'onDismiss'>) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [summary, setSummary] = useState<ImportSummary>();
  return (
    <SpaceBetween size="m">
      <Form
        header={
          <Header description="The same rules and code as groundwork users import: columns username,email,given_name,family_name,display_name,groups (groups separated by ;). Valid rows are imported; each bad row is reported with its line.">
            Import users from a CSV file
          </Header>
        }
        actions={
          <Button
            variant="primary"
            loading={busy}
            disabled={files.length === 0}
            onClick={async () => {
              const file = files[0];
              if (!file) return;
              setBusy(true);
              setError(undefined);
              setSummary(undefined);
              try {
                const result = await send<ImportSummary>('POST', '/api/people/import', { csv: await file.text() });
                setSummary(result);
                props.notify({
                  type: result.rejected.length > 0 ? 'warning' : 'success',
                  content: `Import: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.rejected.length} rejected`,
                });
                props.onImported();
              } catch (e) {
                setError(message(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Import
          </Button>
        }
        errorText={error}
      >
        <FormField label="Users file">
          <FileUpload
            value={files}
            onChange={({ detail }) => setFiles(detail.value)}
            accept=".csv,text/csv"
            i18nStrings={{
              uploadButtonText: () => 'Choose a CSV file',
              dropzoneText: () => 'Drop a CSV file here',
              removeFileAriaLabel: (i) => `Remove file ${i + 1}`,
              limitShowFewer: 'Show fewer',
              limitShowMore: 'Show more',
              errorIconAriaLabel: 'Error',
            }}
            constraintText="Up to 5 MB"
          />
        </FormField>
      </Form>
      {summary ? (
        <Table
          variant="container"
          header={
            <Header
              counter={`(${summary.rejected.length})`}
              description={`${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged`}
            >
              Rejected rows
            </Header>
          }
          items={[...summary.rejected]}
          empty={<Empty title="Every row was valid" />}
          columnDefinitions={[
            { id: 'line', header: 'Line', cell: (r) => r.line, isRowHeader: true },
            { id: 'errors', header: 'What is wrong', cell: (r) => r.errors.join('; ') },
          ]}
        />
      ) : null}
    </SpaceBetween>
  );
}
