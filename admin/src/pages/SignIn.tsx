import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { signIn } from '../auth/sign-in.ts';
import { Field, ProblemNote } from '../ui/kit.tsx';

interface Form {
  email: string;
  password: string;
}

export function SignIn() {
  const navigate = useNavigate();
  const [problem, setProblem] = useState<string>();
  const { register, handleSubmit, formState } = useForm<Form>();
  const onSubmit = handleSubmit(async ({ email, password }) => {
    setProblem(undefined);
    const failed = await signIn(email, password);
    if (failed) setProblem(failed);
    else await navigate({ to: '/' });
  });
  return (
    <main id="main" className="sign-in">
      <h1>Emporium admin</h1>
      <form onSubmit={onSubmit} noValidate aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Staff sign-in</h2>
        <Field label="Email" error={formState.errors.email?.message}>
          {(a) => (
            <input
              type="email"
              autoComplete="username"
              {...a}
              {...register('email', { required: 'Enter your email.' })}
            />
          )}
        </Field>
        <Field label="Password" error={formState.errors.password?.message}>
          {(a) => (
            <input
              type="password"
              autoComplete="current-password"
              {...a}
              {...register('password', { required: 'Enter your password.' })}
            />
          )}
        </Field>
        <ProblemNote message={problem} />
        <button type="submit" className="primary" disabled={formState.isSubmitting}>
          Sign in
        </button>
      </form>
    </main>
  );
}
