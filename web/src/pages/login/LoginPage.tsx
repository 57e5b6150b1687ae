import { Container, Paper, Stack, Title } from '@mantine/core';
import { Brand } from '../../components/Brand';
import { strings } from '../../strings';
import { LoginForm, type LoginFormProps } from './LoginForm';

/** `/auth/login`. */
export function LoginPage({ onSignedIn }: LoginFormProps) {
  return (
    <Container size={420} px={0} pt={{ base: 'md', sm: 60 }}>
      <Stack gap="lg">
        <Brand />
        <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="md">
          <Stack gap="md">
            <Title order={2} size="h3">
              {strings.login.title}
            </Title>
            <LoginForm onSignedIn={onSignedIn} />
          </Stack>
        </Paper>
      </Stack>
    </Container>
  );
}
