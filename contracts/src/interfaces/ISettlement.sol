// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChannelSettlement} from "./IChannelSettlement.sol";
import {ICooperativeClose} from "./ICooperativeClose.sol";
import {ISettlementEvidence} from "./ISettlementEvidence.sol";

/**
 * @title ISettlement
 * @notice Everything callable at the settlement contract's one address: {IChannelSettlement} and {ICooperativeClose}
 * (implemented by {ChannelSettlement} itself) and {ISettlementEvidence} (implemented by {ChannelSettlementEvidence}, which
 * {ChannelSettlement}'s fallback runs by `delegatecall` on the same storage). Clients and tests talk to this interface;
 * the app's ABI (scripts/genAbi.ts) is the union of both contracts' ABIs.
 */
interface ISettlement is IChannelSettlement, ICooperativeClose, ISettlementEvidence {}
