import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../api/client';
import { renderWithMantine } from '../test/render';
import { FieldsForm } from './FieldsForm';

const fields = [
  { name: 'short', label: 'Short code', required: true },
  { name: 'port', label: 'Port', type: 'number' as const, validate: (v: unknown) => (Number(v) > 65535 ? 'Too high' : null) },
  { name: 'long', label: 'Description' },
];

describe('FieldsForm', () => {
  it('checks required fields and custom rules before sending', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const user = userEvent.setup();
    renderWithMantine(<FieldsForm fields={fields} initial={{ short: '', port: 70000, long: '' }} onSubmit={onSubmit} />);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The short code field is required.')).toBeInTheDocument();
    expect(screen.getByText('Too high')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('puts a 422 under the field the panel names, anything else above the form', async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(422, 'The short has already been taken.', 'ValidationException', 'short'))
      .mockRejectedValueOnce(new ApiError(409, 'This location still has nodes.', 'ConflictHttpException'));
    const user = userEvent.setup();
    renderWithMantine(<FieldsForm fields={fields} initial={{ short: 'eu', port: 1, long: '' }} onSubmit={onSubmit} />);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The short has already been taken.')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Short code' })).toHaveAttribute('aria-invalid', 'true');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This location still has nodes.');
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(onSubmit.mock.calls[0]![0]).toEqual({ short: 'eu', port: 1, long: '' });
  });
});
